package dev.slipway.cli;

import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.Flags;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactRejected;
import dev.slipway.events.build.BuildFailed;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.build.BuildStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.KafkaClients;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "build", description = "Store a recipe (its \"lock\" inputs pinned by the lock beside it, its "
        + "\"path\" inputs pushed), request its build, and with --wait follow it to its outcome "
        + "(exit 1 and the build log when it fails).")
final class BuildCommand implements Runnable {

    private static final Duration BROKER_PATIENCE = Duration.ofSeconds(10);
    /** How often the recipe's flags are read while the store waits for the other builders of its set. */
    private static final Duration LOOK_AGAIN = Duration.ofSeconds(1);

    @Mixin
    Context context;

    @Parameters(paramLabel = "RECIPE.json")
    Path recipeFile;

    @Option(names = "--lock", paramLabel = "FILE", description = "The lock that pins the recipe's \"lock\" inputs "
            + "(default: slipway.lock beside the recipe)")
    Path lockFile;

    @Option(names = "--wait", description = "Block until the store accepts the build (as many builders as its set "
            + "requires built the same bytes) or the build fails or is rejected")
    boolean await;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "How long --wait waits (ISO-8601, default PT30M)")
    Duration timeout;

    @Override
    public void run() {
        byte[] canonical = RecipeFile.canonical(context, recipeFile,
                lockFile != null ? lockFile : recipeFile.toAbsolutePath().getParent().resolve(Lock.FILE_NAME));
        Digest recipe = Digest.of(canonical);
        if (context.store().write(recipe, new ByteArrayInputStream(canonical))) {
            context.say("stored recipe " + recipe);
        }
        Event<BuildRequested> request = Event.of("/cli/" + System.getProperty("user.name", "someone"),
                new BuildRequested(recipe.toString(), "cli:" + System.getProperty("user.name", "someone")));
        if (!await) {
            send(request);
            context.result(Map.of("recipe", recipe.toString(), "request", request.id()),
                    "build of " + recipe + " requested (" + request.id() + ")");
            return;
        }
        try (KafkaConsumer<String, byte[]> outcomes = KafkaClients.consumer(context.kafka(), "unused", Map.of(
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) BROKER_PATIENCE.toMillis()))) {
            watchFromNow(outcomes);
            send(request);
            context.say("build of " + recipe + " requested");
            follow(outcomes, recipe.toString());
        } catch (KafkaException e) {
            throw unreachable(e);
        }
    }

    /** Positions at the current end of the outcome topics before the request goes out, so no outcome is missed. */
    private void watchFromNow(KafkaConsumer<String, byte[]> consumer) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.BUILDS, Topics.ARTIFACTS)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, BROKER_PATIENCE);
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    /**
     * Follows the build to the store's verdict, not to the first builder's outcome: where a set requires several
     * builders to agree, the first {@code ArtifactBuilt} is only one vote. The verdict is in the recipe's flags
     * (built once they agreed, rejected when they did not), read after each build the topics announce.
     */
    private void follow(KafkaConsumer<String, byte[]> consumer, String recipe) {
        CloudEventCodec codec = new CloudEventCodec();
        long deadline = System.nanoTime() + timeout.toNanos();
        long started = System.nanoTime();
        ArtifactBuilt first = null;
        long nextLook = 0;
        String storeTrouble = null;
        String refused = null;
        List<String> refusals = new ArrayList<>();
        Map<String, ArtifactBuilt> builds = new LinkedHashMap<>();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                Object data;
                try {
                    data = codec.decode(record).data();
                } catch (EventDecodingException unreadable) {
                    continue;
                }
                if (data instanceof BuildStarted building && building.recipe().equals(recipe)) {
                    context.say("building on " + building.builder() + (building.hermetic() ? "" : " (NOT hermetic)"));
                } else if (data instanceof ArtifactBuilt built && built.recipe().equals(recipe)) {
                    context.say("built " + built.artifact() + " on " + built.builder()
                            + (built.cacheHit() ? " (from its action cache)" : ""));
                    first = first == null ? built : first;
                    builds.put(built.provenance(), built);
                    nextLook = 0;
                } else if (data instanceof BuildFailed failed && failed.recipe().equals(recipe)) {
                    failed(failed);
                } else if (data instanceof ArtifactRejected rejected && rejected.recipe().equals(recipe)) {
                    // The verdict when the flags say so (builders disagreed, the deadline passed); otherwise only
                    // one build was refused (a key the store does not trust), and the set's builders may agree yet.
                    refused = rejected.reason();
                    nextLook = 0;
                }
            }
            if ((first != null || refused != null) && System.nanoTime() >= nextLook) {
                nextLook = System.nanoTime() + LOOK_AGAIN.toNanos();
                Flags flags;
                try {
                    flags = context.store().flagsOf(Digest.parse(recipe));
                    storeTrouble = null;
                } catch (CliFailure trouble) {
                    if (!worthAskingAgain(trouble)) {
                        throw trouble;
                    }
                    // A store restarting is no verdict: the build it was told about is still durable in the log.
                    storeTrouble = trouble.getMessage();
                    continue;
                }
                if (flags.rejected() != null) {
                    rejected(recipe, flags.rejected().reason());
                }
                if (flags.built() != null && first != null) {
                    // What is reported is the build the store recorded, not whichever was announced first.
                    succeeded(builds.getOrDefault(flags.built().provenance().toString(), first), flags, started);
                    return;
                }
                if (refused != null) {
                    context.say("the store refused a build of it: " + refused + " (it does not count; waiting for "
                            + "the builders its set requires)");
                    refusals.add(refused);
                    refused = null;
                }
            }
        }
        String refusedToo = refusals.isEmpty() ? "" : "; the store refused " + refusals.size() + " build(s) of it: "
                + String.join("; ", refusals);
        throw new CliFailure(Exit.FAILED, (first == null
                ? "no accepted build of " + recipe + " within " + timeout
                        + " (is a build-service running? raise --timeout for long builds)"
                : storeTrouble != null
                        ? first.builder() + " built " + first.artifact() + " but the store did not answer within "
                                + timeout + ": " + storeTrouble
                        : first.builder() + " built " + first.artifact() + " but the store has not accepted it within "
                                + timeout + ": the other builders its set requires have not built it yet "
                                + "('slipway verify' shows who signed)") + refusedToo);
    }

    /** Unreachable, a 5xx or a broken connection: worth asking again; a refusal or missing auth is not. */
    private static boolean worthAskingAgain(CliFailure failure) {
        return failure.exit() == Exit.UNREACHABLE || failure.exit() == Exit.FAILED;
    }

    private void succeeded(ArtifactBuilt built, Flags flags, long started) {
        Digest artifact = flags.built().artifact();
        List<String> builders = flags.claims().values().stream().filter(claim -> claim.artifact().equals(artifact))
                .map(Flags.Claim::builder).sorted().toList();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("outcome", "built");
        result.put("recipe", built.recipe());
        result.put("artifact", artifact.toString());
        result.put("provenance", flags.built().provenance().toString());
        result.put("log", built.log());
        result.put("builder", built.builder());
        result.put("builders", builders);
        result.put("hermetic", built.hermetic());
        result.put("cacheHit", built.cacheHit());
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        context.result(result, artifact + (built.cacheHit() ? "  (from the action cache)" : "  (built in "
                + seconds + " s)") + (builders.size() > 1 ? "  built alike by " + String.join(", ", builders) : ""));
    }

    private void rejected(String recipe, String reason) {
        if (context.json()) {
            context.result(Map.of("outcome", "rejected", "recipe", recipe, "reason", reason), "");
        }
        throw new CliFailure(Exit.FAILED, "the store rejected the build of " + recipe + ": " + reason);
    }

    private void failed(BuildFailed failed) {
        if (failed.log() != null) {
            byte[] log = context.store().read(Digest.parse(failed.log()));
            Context.err.println("---- build log " + failed.log() + " ----");
            Context.err.println(new String(log, StandardCharsets.UTF_8).stripTrailing());
            Context.err.println("----");
        }
        if (context.json()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("outcome", "failed");
            result.put("recipe", failed.recipe());
            result.put("reason", failed.reason());
            result.put("log", failed.log());
            context.result(result, "");
        }
        throw new CliFailure(Exit.FAILED, "the build of " + failed.recipe() + " failed: " + failed.reason());
    }

    private void send(Event<BuildRequested> request) {
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(context.kafka(), Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) BROKER_PATIENCE.toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) BROKER_PATIENCE.toMillis() * 2,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) BROKER_PATIENCE.toMillis()))) {
            producer.send(new CloudEventCodec().encode(request)).get();
        } catch (ExecutionException e) {
            throw unreachable(e.getCause());
        } catch (KafkaException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(Exit.FAILED, "interrupted");
        }
    }

    private CliFailure unreachable(Throwable cause) {
        return new CliFailure(Exit.UNREACHABLE, "cannot reach the Kafka broker at " + context.kafka() + " ("
                + cause.getClass().getSimpleName() + "); set it with " + Settings.Key.KAFKA.spellings(), cause);
    }
}
