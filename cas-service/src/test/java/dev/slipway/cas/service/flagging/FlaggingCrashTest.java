package dev.slipway.cas.service.flagging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagStore;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.testsupport.RealParts;
import dev.slipway.testsupport.kafka.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cas-service instance dies after writing a flag but before its transaction commits; another instance
 * with the same transactional id takes over. The flag is there and the announcement appears exactly once.
 */
@ExtendWith(RealParts.class)
class FlaggingCrashTest {

    /** Kills the loop's thread at a chosen point: an Error, so no catch in the loop aborts or commits anything. */
    private static final class Crash extends Error {
        Crash() {
            super("simulated crash after the flag write");
        }
    }

    @TempDir
    Path root;

    @Test
    void anInstanceThatDiesAfterWritingFlagsIsReplacedAndAnnouncesExactlyOnce(KafkaBroker kafka) throws Exception {
        BlobStoreFileSystem blobs = new BlobStoreFileSystem(root);
        FlagStore flags = new FlagStoreFileSystem(root);
        String set = BuiltArtifacts.uniqueSet();
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(blobs, set);
        FlaggingConfig config = config("crash-" + UUID.randomUUID());
        ChannelStates states = ChannelStates.configured(config.release(), flags);
        Flagger flagger = new Flagger(blobs, flags, config.autoFlag(), "/cas-service/test", BuiltArtifacts.TRUSTED,
                states);
        CloudEventCodec codec = new CloudEventCodec();

        AtomicBoolean crashed = new AtomicBoolean();
        FlaggingLoop dying = new FlaggingLoop(config, event -> {
            List<Flagger.Announcement> announcements = flagger.handle(event);
            // The topics are shared with other tests: die on this test's event, after its flag write.
            if (event.id().equals(built.id())) {
                crashed.set(true);
                throw new Crash();
            }
            return announcements;
        }, states, kafka.bootstrapServers());
        dying.start(null);
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(codec.encode(built)).get();
        }
        // The crash is the point: Awaitility must not rethrow the dying thread's Error here.
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> crashed.get() && !dying.isAlive());
        assertNotNull(flags.read(Digest.parse(built.data().recipe())).flags().deployable().get("staging"),
                "the flag was written before the crash");

        FlaggingLoop successor = new FlaggingLoop(config, flagger::handle, states, kafka.bootstrapServers());
        successor.start(null);
        try {
            kafka.awaitRecord(Topics.DEPLOYABLES, r -> set.equals(r.key()), Duration.ofSeconds(60));
            try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
                producer.send(codec.encode(BuiltArtifacts.stored(blobs, "after-" + set))).get();
            }
            kafka.awaitRecord(Topics.DEPLOYABLES, r -> ("after-" + set).equals(r.key()), Duration.ofSeconds(60));

            List<ConsumerRecord<String, byte[]>> announced = kafka.readToEnd(Topics.DEPLOYABLES, r -> set.equals(r.key()));
            assertEquals(2, announced.size(), "exactly one visible ArtifactDeployable, and its set's channel state");
            assertEquals(built.data().artifact(), ((ArtifactDeployable) codec.decode(announced.get(0)).data()).artifact());
            assertEquals(1, ((ChannelStateSigned) codec.decode(announced.get(1)).data()).version());
        } finally {
            successor.stop(null);
        }
    }

    private static FlaggingConfig config(String id) {
        return new FlaggingConfig() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public String consumerGroup() {
                return id;
            }

            @Override
            public String transactionalId() {
                return id;
            }

            @Override
            public AutoFlag autoFlag() {
                return new AutoFlag() {
                    @Override
                    public List<String> defaultChannels() {
                        return List.of("staging");
                    }

                    @Override
                    public Map<String, List<String>> sets() {
                        return Map.of();
                    }
                };
            }

            @Override
            public Optional<List<String>> trustedBuilderKeys() {
                return Optional.of(List.of(BuilderKeys.encode(BuiltArtifacts.BUILDER.getPublic())));
            }

            @Override
            public AgreementConfig agreement() {
                return new AgreementConfig() {
                    @Override
                    public int required() {
                        return 1;
                    }

                    @Override
                    public Optional<List<String>> builders() {
                        return Optional.empty();
                    }

                    @Override
                    public Duration deadline() {
                        return Duration.ofMinutes(30);
                    }

                    @Override
                    public Map<String, SetAgreement> sets() {
                        return Map.of();
                    }
                };
            }

            @Override
            public Release release() {
                return new Release() {
                    @Override
                    public Optional<String> privateKey() {
                        return Optional.of(BuilderKeys.encode(BuiltArtifacts.RELEASE.getPrivate()));
                    }

                    @Override
                    public Optional<String> publicKey() {
                        return Optional.of(BuilderKeys.encode(BuiltArtifacts.RELEASE.getPublic()));
                    }

                    @Override
                    public Optional<List<String>> previousPublicKeys() {
                        return Optional.empty();
                    }

                    @Override
                    public Duration validity() {
                        return Duration.ofDays(1);
                    }

                    @Override
                    public Duration renewEvery() {
                        return Duration.ofHours(1);
                    }
                };
            }
        };
    }
}
