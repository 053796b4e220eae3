package io.tsfleet.emulator.live;

/** The live kernel cannot serve the broker (no privilege, no TASKSTATS, not Linux…): the backend refuses to start. */
public final class KernelBackendUnavailableException extends IllegalStateException {
    public KernelBackendUnavailableException(String message) {
        super(message);
    }

    public KernelBackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
