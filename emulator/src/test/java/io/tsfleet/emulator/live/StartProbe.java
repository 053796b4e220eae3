package io.tsfleet.emulator.live;


/** Started in a child JVM by {@link KernelBackendPrivilegeTest}: tries to start the backend and prints the outcome. */
public final class StartProbe {
    private StartProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (KernelBackend b = KernelBackend.start(KernelBackendSettings.withToken(null), LiveSystem.read(LiveSystem.SYSFS_CPU), LiveKernel.node())) {
            System.out.println("STARTED " + b.taskstatsFamily().id());
        } catch (KernelBackendUnavailableException e) {
            System.out.println("UNAVAILABLE " + e.getMessage());
            System.exit(3);
        }
    }
}
