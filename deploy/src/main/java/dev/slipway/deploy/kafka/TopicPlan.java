package dev.slipway.deploy.kafka;

import dev.slipway.events.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Every topic of the catalogue with its partition count and settings, and their dead-letter topics.
 *
 * <p>Partition counts follow the design's scale notes: rollouts are read by every agent of a set, one
 * partition per agent, so that topic gets the most partitions; builds and artifacts are low-volume.
 */
public final class TopicPlan {

    /** One topic to create. */
    public record PlannedTopic(String name, int partitions, Map<String, String> configs) {
    }

    /**
     * How long the working topics keep records. Everything a reader needs from further back is in a newer record:
     * agents checkpoint their set at least daily ({@code Checkpointer.REFRESH}) and cas-service re-signs each
     * set's channel state hourly; consumers with groups commit as they go and the release service keeps its own
     * history. A week leaves six days for every agent of a set, or a service, to be down before it matters.
     */
    public static final Duration RETENTION = Duration.ofDays(7);
    /** Dead letters wait for a person. */
    public static final Duration DEAD_LETTER_RETENTION = Duration.ofDays(30);
    /** The largest record of {@code slipway.rollouts}: a checkpoint of a big set (the agents' producer limit). */
    public static final int ROLLOUTS_MAX_RECORD_BYTES = 8 * 1024 * 1024;

    private final short replicationFactor;

    /** @param replicationFactor 1 for the local single broker, 3 on a production cluster */
    public TopicPlan(short replicationFactor) {
        this.replicationFactor = replicationFactor;
    }

    public List<PlannedTopic> topics() {
        List<PlannedTopic> topics = new ArrayList<>(List.of(
                new PlannedTopic(Topics.BUILDS, 8, kept(RETENTION)),
                new PlannedTopic(Topics.ARTIFACTS, 8, kept(RETENTION)),
                new PlannedTopic(Topics.DEPLOYABLES, 16, kept(RETENTION)),
                // Deadlines are judged from record timestamps: the broker's clock, never an agent's.
                new PlannedTopic(Topics.ROLLOUTS, 64, with(kept(RETENTION),
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(ROLLOUTS_MAX_RECORD_BYTES))),
                // The latest state per agent is all anyone needs.
                new PlannedTopic(Topics.AGENTS, 16,
                        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new PlannedTopic(Topics.COMMANDS, 16, kept(RETENTION))));
        for (String topic : Topics.ALL) {
            topics.add(new PlannedTopic(Topics.deadLetter(topic), 1, kept(DEAD_LETTER_RETENTION)));
        }
        return topics;
    }

    /** Deleted by age only, never by size: a burst of records must not push out a set's newest checkpoint. */
    private static Map<String, String> kept(Duration retention) {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()),
                TopicConfig.RETENTION_BYTES_CONFIG, "-1");
    }

    private static Map<String, String> with(Map<String, String> configs, String... more) {
        Map<String, String> all = new TreeMap<>(configs);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }

    /**
     * Creates the planned topics the cluster does not have yet, and sets the planned settings on those it has
     * (partition counts of existing topics are left as they are: changing them would move sets between
     * partitions).
     *
     * @return the names of the topics it created
     */
    public List<String> ensure(Admin admin) throws ExecutionException, InterruptedException {
        Set<String> existing = admin.listTopics().names().get();
        List<NewTopic> missing = topics().stream()
                .filter(topic -> !existing.contains(topic.name()))
                .map(topic -> new NewTopic(topic.name(), topic.partitions(), replicationFactor).configs(topic.configs()))
                .toList();
        admin.createTopics(missing).all().get();
        Map<ConfigResource, Collection<AlterConfigOp>> settings = new HashMap<>();
        topics().stream().filter(topic -> existing.contains(topic.name())).forEach(topic -> settings.put(
                new ConfigResource(ConfigResource.Type.TOPIC, topic.name()),
                topic.configs().entrySet().stream().map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()),
                        AlterConfigOp.OpType.SET)).toList()));
        admin.incrementalAlterConfigs(settings).all().get();
        return missing.stream().map(NewTopic::name).toList();
    }
}
