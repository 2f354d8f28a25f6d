package dev.slipway.deploy.kafka;

import dev.slipway.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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

    private static final String THIRTY_DAYS_MS = Long.toString(30L * 24 * 60 * 60 * 1000);

    private final short replicationFactor;

    /** @param replicationFactor 1 for the local single broker, 3 on a production cluster */
    public TopicPlan(short replicationFactor) {
        this.replicationFactor = replicationFactor;
    }

    public List<PlannedTopic> topics() {
        List<PlannedTopic> topics = new ArrayList<>(List.of(
                new PlannedTopic(Topics.BUILDS, 8, Map.of()),
                new PlannedTopic(Topics.ARTIFACTS, 8, Map.of()),
                new PlannedTopic(Topics.DEPLOYABLES, 16, Map.of()),
                // Deadlines are judged from record timestamps: the broker's clock, never an agent's.
                new PlannedTopic(Topics.ROLLOUTS, 64,
                        Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
                // The latest state per agent is all anyone needs.
                new PlannedTopic(Topics.AGENTS, 16,
                        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new PlannedTopic(Topics.COMMANDS, 16, Map.of())));
        for (String topic : Topics.ALL) {
            // Dead letters wait for a person: keep them a month.
            topics.add(new PlannedTopic(Topics.deadLetter(topic), 1,
                    Map.of(TopicConfig.RETENTION_MS_CONFIG, THIRTY_DAYS_MS)));
        }
        return topics;
    }

    /**
     * Creates the planned topics the cluster does not have yet; existing topics are left as they are.
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
        return missing.stream().map(NewTopic::name).toList();
    }
}
