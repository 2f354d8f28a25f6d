package dev.slipway.agent.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.wire.EventJson;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a member writes its set's checkpoint, and what a checkpoint read back means. A member checkpoints once
 * enough records of the set followed the newest checkpoint (more for bigger sets, whose rollouts write more),
 * once the set settled after a rollout's end and stayed {@link #QUIET}, and once the newest checkpoint is
 * {@link #REFRESH} old by log time, so that every set, idle ones too, has a checkpoint
 * younger than the topic's retention. Members take turns by name a {@link #STAGGER} apart, so one live member
 * is enough and usually writes alone; two that write anyway write the same state. Pure apart from the newest
 * checkpoint this host saw; one per agent run, on the agent's thread.
 */
public final class Checkpointer {

    /** The newest checkpoint of an idle set is renewed this often; retention must be longer, by a margin. */
    public static final Duration REFRESH = Duration.ofDays(1);
    /** How long a settled set is quiet before what it settled on is checkpointed: once per rollout, after its end. */
    public static final Duration QUIET = Duration.ofSeconds(10);
    /** How much later each next member writes a checkpoint that is not on the log yet. */
    public static final Duration STAGGER = Duration.ofSeconds(2);

    private final long minRecords;
    private final int recordsPerMember;
    private long seenRecords;
    private Instant seenAt;
    private long seenOffset = -1;
    private String written;
    private String dueKey;
    private Instant dueSince;

    /**
     * @param minRecords       the fewest records of the set between two checkpoints
     * @param recordsPerMember more for each member: a rollout writes about four records per member
     */
    public Checkpointer(long minRecords, int recordsPerMember) {
        this.minRecords = minRecords;
        this.recordsPerMember = recordsPerMember;
    }

    /** As agents run it: after {@code minRecords} records, or one per rollout in sets of more members. */
    public static Checkpointer standard(long minRecords) {
        return new Checkpointer(minRecords, 4);
    }

    /** A checkpoint of the set read from its log at {@code logTime}; the newest one read counts. */
    public void seen(SetCheckpointed checkpoint, Instant logTime) {
        JsonNode records = checkpoint.state().get("records");
        seenRecords = records == null ? 0 : records.asLong();
        seenOffset = checkpoint.offset();
        seenAt = logTime;
    }

    /**
     * The checkpoint this member writes now, if any.
     *
     * @param readTo this host's position in the set's partition: the next offset it will read
     */
    public Optional<SetCheckpointed> due(SetFold fold, String me, Instant now, long readTo) {
        int rank = fold.rank(me);
        if (rank < 0 || fold.records() == 0) {
            return Optional.empty();
        }
        long every = Math.max(minRecords, (long) recordsPerMember * fold.members().size());
        Instant refreshFrom = seenAt != null ? seenAt : fold.since();
        boolean news = fold.offset() > seenOffset;
        boolean due = (news && fold.records() - seenRecords >= every)
                || (news && settled(fold) && !now.isBefore(fold.time().plus(QUIET)))
                || (refreshFrom != null && !now.isBefore(refreshFrom.plus(REFRESH)));
        String key = fold.offset() + "/" + seenAt;
        if (!due || key.equals(written)) {
            return Optional.empty();
        }
        if (!key.equals(dueKey)) {
            // Turns are counted from when this host found it due, not from the log's time: members that start
            // together after a quiet spell must not all write at once.
            dueKey = key;
            dueSince = now;
        }
        if (now.isBefore(dueSince.plus(STAGGER.multipliedBy(rank)))) {
            return Optional.empty();
        }
        written = key;
        return Optional.of(new SetCheckpointed(fold.deploymentSet(), fold.offset(), Math.max(readTo, fold.offset() + 1),
                EventJson.mapper().valueToTree(fold.state())));
    }

    /** Nothing under way: no slot held, and the latest rollout ended on the log (or there is none). */
    private static boolean settled(SetFold fold) {
        Rollout rollout = fold.rollout();
        return fold.slots().isEmpty() && (rollout == null || (rollout.status().ended() && rollout.announced()));
    }

    /**
     * The fold a checkpoint of {@code set} describes.
     *
     * @throws IllegalArgumentException when it is not one (another set, another format, not a fold state)
     */
    public static SetFold restore(SetCheckpointed checkpoint, String set) {
        if (!checkpoint.deploymentSet().equals(set)) {
            throw new IllegalArgumentException("checkpoint of set " + checkpoint.deploymentSet() + ", not " + set);
        }
        FoldState state;
        try {
            state = EventJson.mapper().treeToValue(checkpoint.state(), FoldState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("checkpoint at " + checkpoint.offset() + " is not a fold state: "
                    + e.getOriginalMessage(), e);
        }
        if (state == null || !set.equals(state.deploymentSet()) || state.offset() != checkpoint.offset()) {
            throw new IllegalArgumentException("checkpoint at " + checkpoint.offset() + " holds the state of "
                    + (state == null ? "nothing" : state.deploymentSet() + " at " + state.offset()));
        }
        return SetFold.restore(state);
    }
}
