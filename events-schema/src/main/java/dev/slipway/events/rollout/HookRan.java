package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * A host ran one of its switch hooks ({@code before-drain}, {@code after-healthy}) in a rollout: its exit code
 * ({@code -1} when it passed its timeout or could not start), the end of its output, and how long it took. The
 * fold ignores it; what the hook's failure does is said by the {@code HostFailed} that follows.
 */
public record HookRan(String deploymentSet, String rolloutId, String hostId, String hook, int exitCode, String output,
        long millis) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.hook.ran.v1";
    public static final String BEFORE_DRAIN = "before-drain";
    public static final String AFTER_HEALTHY = "after-healthy";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
