package dev.slipway.events.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConsumerThreadTest {

    @Test
    void failuresInARowDoubleThePauseUpToItsLimitAndAHealthySessionStartsItAgain() {
        Duration pause = ConsumerThread.nextPause(null, Duration.ZERO);
        assertEquals(Duration.ofSeconds(1), pause);
        for (long expected : new long[] {2, 4, 8, 16, 30, 30}) {
            pause = ConsumerThread.nextPause(pause, Duration.ofSeconds(5));
            assertEquals(Duration.ofSeconds(expected), pause);
        }
        assertEquals(Duration.ofSeconds(1), ConsumerThread.nextPause(pause, ConsumerThread.HEALTHY));
    }

    @Test
    void stopEndsAPauseAtOnce() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        CountDownLatch failedTwice = new CountDownLatch(2);
        // Nothing listens on port 1: the consumer is made but never connects, and each session fails at once.
        ConsumerThread loop = ConsumerThread.start("test-loop",
                () -> KafkaClients.consumer("127.0.0.1:1", "test-group", Map.of()), (consumer, running) -> {
                    sessions.incrementAndGet();
                    failedTwice.countDown();
                    throw new IllegalStateException("the database is down");
                });
        failedTwice.await(10, TimeUnit.SECONDS);

        // The thread now waits 2 s before its third session.
        assertTimeoutPreemptively(Duration.ofSeconds(1), loop::stop);

        assertFalse(loop.isAlive());
        assertEquals(2, sessions.get(), "no session after stop");
    }
}
