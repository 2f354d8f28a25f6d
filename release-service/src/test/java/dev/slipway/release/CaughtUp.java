package dev.slipway.release;

import org.awaitility.Awaitility;

import dev.slipway.events.Topics;
import dev.slipway.testsupport.kafka.KafkaBroker;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Waits until a consumer group has committed every record now on the catalogue's topics: it has seen them all. */
public final class CaughtUp {

    private CaughtUp() {
    }

    public static void await(KafkaBroker kafka, String group, Duration deadline) {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, Long> ends = endOffsets(admin);
            Awaitility.await("consumer group " + group + " to commit every record of " + ends.keySet()).atMost(deadline)
                    .until(() -> {
                        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata().get();
                        return ends.entrySet().stream().allMatch(end -> end.getValue() == 0
                                || committed.get(end.getKey()) != null
                                && committed.get(end.getKey()).offset() >= end.getValue());
                    });
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin) {
        try {
            Set<String> existing = admin.listTopics().names().get().stream().filter(Topics.ALL::contains)
                    .collect(Collectors.toSet());
            Set<TopicPartition> partitions = admin.describeTopics(existing).allTopicNames().get().values().stream()
                    .flatMap(topic -> topic.partitions().stream()
                            .map(p -> new TopicPartition(topic.name(), p.partition())))
                    .collect(Collectors.toSet());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                    partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get();
            return ends.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("cannot read the end offsets", e);
        }
    }
}
