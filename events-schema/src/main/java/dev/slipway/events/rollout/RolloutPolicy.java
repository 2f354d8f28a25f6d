package dev.slipway.events.rollout;

import java.time.Duration;
import java.util.List;

/**
 * How a set takes a new version; it travels from the recipe to the agents inside {@link RolloutStarted}.
 *
 * @param maxUnavailable   how many hosts of the set may hold a slot (be out of service) at once, across every
 *                         rollout of the set, rollbacks included; at least 1
 * @param failureTolerance how many hosts may fail before the rollout aborts and everyone rolls back
 * @param slotDeadline     how long a host may hold a slot before it counts as failed (judged on the log's time)
 * @param drainTimeout     how long a host waits for in-flight work before it stops the old version
 * @param progressDeadline how long the rollout waits for a member to claim before it counts that member as lost
 *                         (skipped, not failed), judged on the log's time; absent in older events: the slot
 *                         deadline
 * @param approvalWithin   null: no gate; else, once the canaries are done (at once in a set without any), the
 *                         other hosts wait for an operator's approval ({@code GateApproved}), which must come
 *                         within this long, judged on the log's time, or the rollout aborts
 * @param windows          the {@link DeploymentWindows} in which the rollout grants slots forward, judged on the
 *                         log's time; outside them it waits (held) for the next, unless an operator overrides
 *                         ({@code WindowOverridden}); empty (or absent in older events): any time
 * @param approveEachBatch with {@code approvalWithin}: every batch of up to {@code maxUnavailable} hosts after the
 *                         canaries waits for an approval of its own once the batch before it is done, each within
 *                         {@code approvalWithin}; false (or absent): one approval lets all the rest through
 * @param release          a release tag shared by the recipes of sets that ship together (for {@code after}); null
 * @param after            sets this rollout follows: it grants nothing forward until each named set's last
 *                         completed rollout is of the same {@code release} ({@code "db-schema"}) or of the named
 *                         recipe ({@code "db-schema@sha256:…"}), as a {@code PrerequisiteMet} on this set's log says;
 *                         empty (or absent): it follows nobody
 */
public record RolloutPolicy(int maxUnavailable, int failureTolerance, Duration slotDeadline, Duration drainTimeout,
        Duration progressDeadline, Duration approvalWithin, List<String> windows, Boolean approveEachBatch,
        String release, List<String> after) {

    public RolloutPolicy {
        progressDeadline = progressDeadline == null ? slotDeadline : progressDeadline;
        windows = windows == null ? List.of() : List.copyOf(windows);
        approveEachBatch = approveEachBatch != null && approveEachBatch;
        after = after == null ? List.of() : List.copyOf(after);
    }

    public RolloutPolicy(int maxUnavailable, int failureTolerance, Duration slotDeadline, Duration drainTimeout,
            Duration progressDeadline, Duration approvalWithin, List<String> windows, Boolean approveEachBatch) {
        this(maxUnavailable, failureTolerance, slotDeadline, drainTimeout, progressDeadline, approvalWithin, windows,
                approveEachBatch, null, null);
    }

    public RolloutPolicy(int maxUnavailable, int failureTolerance, Duration slotDeadline, Duration drainTimeout,
            Duration progressDeadline, Duration approvalWithin) {
        this(maxUnavailable, failureTolerance, slotDeadline, drainTimeout, progressDeadline, approvalWithin, null);
    }

    public RolloutPolicy(int maxUnavailable, int failureTolerance, Duration slotDeadline, Duration drainTimeout,
            Duration progressDeadline, Duration approvalWithin, List<String> windows) {
        this(maxUnavailable, failureTolerance, slotDeadline, drainTimeout, progressDeadline, approvalWithin, windows,
                false);
    }

    public RolloutPolicy(int maxUnavailable, int failureTolerance, Duration slotDeadline, Duration drainTimeout,
            Duration progressDeadline) {
        this(maxUnavailable, failureTolerance, slotDeadline, drainTimeout, progressDeadline, null);
    }

    public RolloutPolicy(int maxUnavailable, int failureTolerance, Duration slotDeadline, Duration drainTimeout) {
        this(maxUnavailable, failureTolerance, slotDeadline, drainTimeout, slotDeadline);
    }
}
