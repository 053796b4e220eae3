package io.tsfleet.coordinator.kubernetes;

/** Outside Kubernetes: this process is the only coordinator and leads from the start. */
public final class SingleNodeLeadership implements Leadership {
    private volatile boolean leader;
    private Runnable onStop = () -> { };

    @Override
    public void start(Runnable onStartLeading, Runnable onStopLeading) {
        this.onStop = onStopLeading;
        leader = true;
        onStartLeading.run();
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public void stop() {
        if (leader) {
            leader = false;
            onStop.run();
        }
    }

    @Override
    public String describe() {
        return "single-node mode (no leader election)";
    }
}
