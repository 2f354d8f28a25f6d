package dev.slipway.events.wire;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A consumer loop on its own daemon thread: runs a session with a fresh consumer, and when the session fails
 * (broker, database), closes the consumer and starts again from the last committed offsets after a pause that
 * doubles with each failure in a row, from {@link #FIRST_PAUSE} to {@link #LAST_PAUSE}: every restart rejoins
 * the consumer group, and a restart a second through a long database outage would rebalance the group as
 * often. {@link #stop} wakes the consumer, or the pause, and waits for the thread.
 */
public final class ConsumerThread {

    /** Works with the consumer while {@code running} says so; throws to be started again. */
    @FunctionalInterface
    public interface Session {
        void run(KafkaConsumer<String, byte[]> consumer, Running running);
    }

    @FunctionalInterface
    public interface Running {
        boolean get();
    }

    private static final System.Logger LOG = System.getLogger(ConsumerThread.class.getName());
    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration LAST_PAUSE = Duration.ofSeconds(30);
    /** A session that ran this long before it failed was healthy: the next pause starts from the first again. */
    static final Duration HEALTHY = Duration.ofMinutes(1);

    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private ConsumerThread(String name, Supplier<KafkaConsumer<String, byte[]>> consumers, Session session) {
        thread = new Thread(() -> loop(name, consumers, session), name);
        // stop() waits for it, but a broker that never answers must not keep the JVM alive.
        thread.setDaemon(true);
    }

    public static ConsumerThread start(String name, Supplier<KafkaConsumer<String, byte[]>> consumers, Session session) {
        ConsumerThread loop = new ConsumerThread(name, consumers, session);
        loop.thread.start();
        return loop;
    }

    public void stop() throws InterruptedException {
        running = false;
        stopped.countDown();
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        thread.join(Duration.ofSeconds(30).toMillis());
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    private void loop(String name, Supplier<KafkaConsumer<String, byte[]>> consumers, Session session) {
        Duration pause = null;
        while (running) {
            long started = System.nanoTime();
            try (KafkaConsumer<String, byte[]> opened = consumers.get()) {
                consumer = opened;
                session.run(opened, () -> running);
            } catch (WakeupException stopping) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    pause = nextPause(pause, Duration.ofNanos(System.nanoTime() - started));
                    LOG.log(Level.ERROR, name + " failed; starting again from the last committed offsets in "
                            + pause, e);
                    pause(pause);
                }
            }
        }
    }

    /**
     * @param last   the pause before, null for none
     * @param ranFor how long the session that failed ran
     */
    static Duration nextPause(Duration last, Duration ranFor) {
        if (last == null || ranFor.compareTo(HEALTHY) >= 0) {
            return FIRST_PAUSE;
        }
        Duration doubled = last.multipliedBy(2);
        return doubled.compareTo(LAST_PAUSE) > 0 ? LAST_PAUSE : doubled;
    }

    private void pause(Duration pause) {
        try {
            stopped.await(pause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
