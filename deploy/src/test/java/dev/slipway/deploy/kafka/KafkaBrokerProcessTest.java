package dev.slipway.deploy.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.events.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessTest {

    @TempDir
    Path directory;

    @Test
    void aBrokerLeftRunningByAKilledParentIsStoppedBeforeTheNextStarts() throws Exception {
        int port = freePort();
        int controllerPort = freePort();
        // The first broker is never closed, as when its parent is killed with SIGKILL.
        KafkaBrokerProcess orphan = KafkaBrokerProcess.start(directory, port, controllerPort);
        try (Admin admin = orphan.admin()) {
            new TopicPlan((short) 1).ensure(admin);
        }

        try (KafkaBrokerProcess next = KafkaBrokerProcess.start(directory, port, controllerPort);
                Admin admin = next.admin()) {
            assertNotEquals(orphan.pid(), next.pid());
            assertFalse(ProcessHandle.of(orphan.pid()).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(List.of(), new TopicPlan((short) 1).ensure(admin));
            assertTrue(admin.listTopics().names().get().contains("slipway.rollouts"));
        }
    }

    @Test
    void theTopicPlanSetsItsRetentionOnATopicThatWasCreatedWithOtherSettings() throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(directory, freePort(), freePort());
                Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(Topics.ROLLOUTS, 4, (short) 1).configs(Map.of(
                    TopicConfig.RETENTION_MS_CONFIG, "3600000", TopicConfig.RETENTION_BYTES_CONFIG, "1048576"))))
                    .all().get();

            assertEquals(List.of(), new TopicPlan((short) 1).ensure(admin).stream()
                    .filter(Topics.ROLLOUTS::equals).toList(), "an existing topic is not created again");

            Map<String, String> planned = Map.of(
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(TopicPlan.RETENTION.toMillis()),
                    TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(TopicPlan.ROLLOUTS_MAX_RECORD_BYTES));
            ConfigResource rollouts = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ROLLOUTS);
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Map<String, String> seen;
            do {
                // The broker applies a change of settings from its metadata log, a moment after the controller took it.
                Config config = admin.describeConfigs(List.of(rollouts)).all().get().get(rollouts);
                seen = planned.keySet().stream().collect(Collectors.toMap(k -> k, k -> config.get(k).value()));
            } while (!seen.equals(planned) && System.nanoTime() < until && pause());
            assertEquals(planned, seen);
            assertEquals(4, admin.describeTopics(List.of(Topics.ROLLOUTS)).allTopicNames().get().get(Topics.ROLLOUTS)
                    .partitions().size(), "partitions are left as they are");
        }
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }

    @Test
    void refusesToStartOnAPortAnotherProcessHolds() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IllegalStateException error = assertThrows(IllegalStateException.class,
                    () -> KafkaBrokerProcess.start(directory, taken.getLocalPort(), freePort()));

            assertTrue(error.getMessage().contains("port " + taken.getLocalPort()), error.getMessage());
            assertTrue(error.getMessage().contains("--kafka-port"), error.getMessage());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
