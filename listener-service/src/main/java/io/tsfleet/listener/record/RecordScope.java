package io.tsfleet.listener.record;

/**
 * What an exit record describes. The kernel sends one event per exiting thread; when the last thread of a process
 * that ever had more than one thread exits, the event also carries the thread group's aggregate.
 */
public enum RecordScope {
    /** A thread exited while its process lives on ({@code pid != tgid}, no aggregate). */
    THREAD("thread"),
    /**
     * A process's main thread exited ({@code pid == tgid}) and the event carries no aggregate: a single-threaded process
     * ended. (The rare main thread of a multi-threaded process that exits before its other threads looks the same; its
     * process's aggregate follows in a later {@link #GROUP} record.)
     */
    PROCESS("process"),
    /** The last thread of a multi-threaded process exited: the event also carries the whole process's aggregate. */
    GROUP("group");

    private final String jsonName;

    RecordScope(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The lower-case name records carry ({@code "scope": "thread"}). */
    public String jsonName() {
        return jsonName;
    }

    /** Whether the record describes a whole process ({@link #PROCESS} or {@link #GROUP}). */
    public boolean wholeProcess() {
        return this != THREAD;
    }
}
