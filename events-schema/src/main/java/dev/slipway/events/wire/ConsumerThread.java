package dev.slipway.events.wire;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A consumer loop on its own daemon thread: runs a session with a fresh consumer, and when the session fails
 * (broker, database), closes the consumer and starts again from the last committed offsets after a pause.
 * {@link #stop} wakes the consumer and waits for the thread.
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
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

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
        while (running) {
            try (KafkaConsumer<String, byte[]> opened = consumers.get()) {
                consumer = opened;
                session.run(opened, () -> running);
            } catch (WakeupException stopping) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOG.log(Level.ERROR, name + " failed; starting again from the last committed offsets in "
                            + RETRY_BACKOFF, e);
                    pause();
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_BACKOFF.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
