package dev.slipway.agent.run;

import dev.slipway.agent.rollout.Checkpointer;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.agent.rollout.SetFold;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.KafkaClients;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The sets this agent's rollouts follow ({@code rollout.after}), each folded from its own log on
 * {@code slipway.rollouts} with the fold that set's agents use: from its newest checkpoint the first time, then
 * on from where the last look ended. Read-only, with a consumer of its own (manually assigned, nothing committed),
 * so following a set never moves this agent's own reading. Runs on the agent's thread; blocking.
 */
final class FollowedSets implements AutoCloseable {

    private record Followed(SetFold fold, TopicPartition partition, long position) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final Map<String, Followed> followed = new HashMap<>();

    FollowedSets(String bootstrapServers, String agentId) {
        this.consumer = KafkaClients.consumer(bootstrapServers, "fleet-agent-" + agentId + "-follows", Map.of());
    }

    /** The rollout {@code set} last completed, by its log as it is now; null when it completed none. */
    Rollout lastCompleted(String set) {
        Followed known = followed.computeIfAbsent(set, this::fromCheckpoint);
        consumer.assign(List.of(known.partition()));
        consumer.seek(known.partition(), known.position());
        long end = consumer.endOffsets(List.of(known.partition())).get(known.partition());
        while (consumer.position(known.partition()) < end) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                Event<?> event = ofSet(set, record);
                if (event != null && record.offset() < end) {
                    known.fold().apply(event, Instant.ofEpochMilli(record.timestamp()), record.offset());
                }
            }
        }
        followed.put(set, new Followed(known.fold(), known.partition(), end));
        return known.fold().lastCompleted();
    }

    private Followed fromCheckpoint(String set) {
        TopicPartition partition = Agent.partitionOf(consumer, Topics.ROLLOUTS, set);
        NewestRecord search = new NewestRecord(consumer);
        Optional<NewestRecord.Found<SetCheckpointed>> newest = search.find(partition, record -> {
            Event<?> event = ofSet(set, record);
            if (event == null || !(event.data() instanceof SetCheckpointed checkpoint)) {
                return null;
            }
            try {
                Checkpointer.restore(checkpoint, set);
                return checkpoint;
            } catch (IllegalArgumentException unreadable) {
                return null;
            }
        });
        long beginning = search.beginning(partition);
        return newest.map(found -> new Followed(Checkpointer.restore(found.value(), set), partition,
                        Math.max(beginning, found.value().readTo())))
                .orElseGet(() -> new Followed(new SetFold(set), partition, beginning));
    }

    private Event<?> ofSet(String set, ConsumerRecord<String, byte[]> record) {
        if (!set.equals(record.key())) {
            return null;
        }
        try {
            return codec.decode(record);
        } catch (EventDecodingException unreadable) {
            return null;
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
