package dev.slipway.build.bench;

import dev.slipway.build.run.BuildInputs;
import dev.slipway.build.sandbox.Bubblewrap;
import dev.slipway.build.sandbox.Sandbox;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.recipe.Recipe;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Not a test: the figures of bench/build. Cache-hit latency from BuildRequested sent to ArtifactBuilt received,
 * through the real broker and the running service; and the sandbox's cost over running the same trivial step
 * bare. Prints, asserts nothing about time.
 */
@Tag("benchmark")
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
class BuildBenchmark {

    private static final int REQUESTS = 200;
    private static final int SPAWNS = 100;

    private final KafkaBroker kafka = KafkaBroker.shared();
    private final CloudEventCodec codec = new CloudEventCodec();

    @Test
    void cacheHitLatency() throws Exception {
        BlobStoreFileSystem store = new BlobStoreFileSystem(Path.of("target/test-store"));
        BuildInputs inputs = new BuildInputs(store, Files.createDirectories(Path.of("target/test-scratch")));
        Digest recipe = inputs.recipe(inputs.busybox(), inputs.tree(Map.of("x", "bench " + System.nanoTime())),
                "PT30S", "mkdir -p out && cp /src/x out/");
        List<Long> micros = new ArrayList<>();
        try {
            kafka.createTopics(Map.of(Topics.ARTIFACTS, 8));
        } catch (IllegalStateException alreadyThere) {
            // Created by an earlier run against the same broker.
        }
        try (KafkaProducer<String, byte[]> producer = kafka.producer();
                KafkaConsumer<String, byte[]> consumer = kafka.consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.ARTIFACTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            for (int i = 0; i <= REQUESTS; i++) {
                Event<BuildRequested> request = Event.of("/bench", new BuildRequested(recipe.toString(), "bench"));
                String expected = Event.causedBy(request, "outcome", "-", Instant.EPOCH, request.data()).id();
                long sent = System.nanoTime();
                producer.send(codec.encode(request)).get();
                awaitId(consumer, expected);
                if (i > 0) {
                    micros.add((System.nanoTime() - sent) / 1000);
                }
            }
        }
        Collections.sort(micros);
        System.out.printf("%nBENCH cache hit, BuildRequested -> ArtifactBuilt over the broker, %d requests (the first, "
                + "a real build, not counted): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", REQUESTS,
                at(micros, 0.50), at(micros, 0.90), at(micros, 0.99), micros.get(micros.size() - 1) / 1000.0);
    }

    @Test
    void sandboxOverhead() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "bench-sandbox");
        Path log = Files.createFile(work.resolve("log"));
        Path toolchain = Files.createDirectories(work.resolve("toolchain/bin"));
        Files.copy(BuildInputs.BUSYBOX, toolchain.resolve("busybox"));
        Sandbox sandbox = Bubblewrap.find(Path.of("/usr/bin/bwrap"));
        Recipe.Step step = new Recipe.Step("true", List.of("/toolchain/bin/busybox", "true"), Map.of(),
                Duration.ofSeconds(10));
        Path out = Files.createDirectories(work.resolve("out"));
        double bare = median(() -> {
            Process process = new ProcessBuilder(toolchain.resolve("busybox").toString(), "true").start();
            process.waitFor(10, TimeUnit.SECONDS);
        });
        double sandboxed = median(() -> sandbox.run(step, Map.of("/toolchain", toolchain.getParent()), out, log));
        System.out.printf("%nBENCH trivial step (busybox true), median of %d: bare %.2f ms, in bubblewrap %.2f ms, "
                + "ratio %.2f%n", SPAWNS, bare, sandboxed, sandboxed / bare);
    }

    private void awaitId(KafkaConsumer<String, byte[]> consumer, String id) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(5))) {
                if (id.equals(codec.decode(record).id())) {
                    return;
                }
            }
        }
        throw new AssertionError("no announcement " + id + " within 60 s");
    }

    interface Run {
        void run() throws Exception;
    }

    private static double median(Run run) throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < SPAWNS + 10; i++) {
            long start = System.nanoTime();
            run.run();
            if (i >= 10) {
                micros.add((System.nanoTime() - start) / 1000);
            }
        }
        return at(micros, 0.5);
    }

    private static double at(List<Long> sortedOrNot, double quantile) {
        List<Long> sorted = new ArrayList<>(sortedOrNot);
        Collections.sort(sorted);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size()))) / 1000.0;
    }
}
