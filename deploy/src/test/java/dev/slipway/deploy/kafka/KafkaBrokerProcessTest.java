package dev.slipway.deploy.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
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
