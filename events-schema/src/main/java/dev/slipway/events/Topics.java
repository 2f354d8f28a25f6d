package dev.slipway.events;

import java.util.List;

/** Every Kafka topic of Slipway. Code names topics only through these constants. */
public final class Topics {

    /** Key: recipe digest. Build requests and their progress. */
    public static final String BUILDS = "slipway.builds";
    /** Key: artifact digest. What builds produced, and what the store refused. */
    public static final String ARTIFACTS = "slipway.artifacts";
    /** Key: deployment set. Flags set by the store: deployable per channel, revoked. */
    public static final String DEPLOYABLES = "slipway.deployables";
    /** Key: deployment set. The coordination log of each set; LogAppendTime, so deadlines use the broker's clock. */
    public static final String ROLLOUTS = "slipway.rollouts";
    /** Key: agent id. Compacted: the latest state of every agent. */
    public static final String AGENTS = "slipway.agents";
    /** Key: deployment set. Operator intent. */
    public static final String COMMANDS = "slipway.commands";

    /** Suffix of the dead-letter topic of each topic. */
    public static final String DLQ_SUFFIX = ".dlq";

    public static final List<String> ALL = List.of(BUILDS, ARTIFACTS, DEPLOYABLES, ROLLOUTS, AGENTS, COMMANDS);

    private Topics() {
    }

    /** The dead-letter topic for records of {@code topic} that could not be read. */
    public static String deadLetter(String topic) {
        return topic + DLQ_SUFFIX;
    }
}
