package dev.slipway.agent.run;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds the newest record of a partition that means something to the caller by reading backwards in growing
 * windows from the end, so that what an agent reads at start depends on how recent that record is, not on how
 * long the partition's history is. Leaves the consumer assigned to that partition alone. Not thread-safe.
 */
final class NewestRecord {

    private static final int FIRST_WINDOW = 512;
    private static final int LAST_WINDOW = 65_536;

    /** A record the caller recognised, its offset and log time. */
    record Found<T>(T value, long offset, long timestamp) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private long read;

    NewestRecord(KafkaConsumer<String, byte[]> consumer) {
        this.consumer = consumer;
    }

    /** Records read by this searcher's searches so far. */
    long read() {
        return read;
    }

    /**
     * @param recognise the meaning of a record, or null for one that does not count
     * @return the newest record {@code recognise} accepted; empty when none is left in the partition
     */
    <T> Optional<Found<T>> find(TopicPartition partition, Function<ConsumerRecord<String, byte[]>, T> recognise) {
        consumer.assign(List.of(partition));
        long start = consumer.beginningOffsets(List.of(partition)).get(partition);
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        long window = FIRST_WINDOW;
        for (long to = end; to > start; to = Math.max(start, to - window), window = Math.min(LAST_WINDOW, window * 2)) {
            long from = Math.max(start, to - window);
            Optional<Found<T>> newest = newestBetween(partition, from, to, recognise);
            if (newest.isPresent()) {
                return newest;
            }
        }
        return Optional.empty();
    }

    private <T> Optional<Found<T>> newestBetween(TopicPartition partition, long from, long to,
            Function<ConsumerRecord<String, byte[]>, T> recognise) {
        consumer.seek(partition, from);
        Found<T> newest = null;
        while (consumer.position(partition) < to) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                read++;
                if (record.offset() < to) {
                    T value = recognise.apply(record);
                    if (value != null) {
                        newest = new Found<>(value, record.offset(), record.timestamp());
                    }
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    /** The first offset the partition still holds. */
    long beginning(TopicPartition partition) {
        return consumer.beginningOffsets(List.of(partition)).get(partition);
    }
}
