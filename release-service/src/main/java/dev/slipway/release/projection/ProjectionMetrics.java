package dev.slipway.release.projection;

import dev.slipway.events.Event;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutStarted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics of what the projection saw (at {@code /q/metrics}): rollouts started, completed and
 * aborted, events projected, and the projection's lag in records behind the end of every topic. Counted once
 * per event id, when the event is first projected.
 */
@Singleton
public class ProjectionMetrics {

    private final Counter started;
    private final Counter completed;
    private final Counter aborted;
    private final Counter events;
    private final Counter retried;
    private final AtomicLong lag = new AtomicLong();
    /** When the record being projected arrived, in epoch milliseconds; 0 when none is. */
    private final AtomicLong projectingSince = new AtomicLong();

    public ProjectionMetrics(MeterRegistry registry) {
        started = Counter.builder("slipway.rollouts.started").description("Rollouts started").register(registry);
        completed = Counter.builder("slipway.rollouts.completed").description("Rollouts completed").register(registry);
        aborted = Counter.builder("slipway.rollouts.aborted").description("Rollouts aborted").register(registry);
        events = Counter.builder("slipway.projection.events").description("Events projected").register(registry);
        retried = Counter.builder("slipway.projection.retries")
                .description("Attempts to project an event that the database could not take then").register(registry);
        registry.gauge("slipway.projection.lag.records", lag);
        Gauge.builder("slipway.projection.stalled.seconds", projectingSince,
                        since -> since.get() == 0 ? 0 : (System.currentTimeMillis() - since.get()) / 1000.0)
                .description("How long the record being projected has waited (0 when none waits): an outage grows it")
                .register(registry);
    }

    void projected(Event<?> event) {
        events.increment();
        if (event.data() instanceof RolloutStarted) {
            started.increment();
        } else if (event.data() instanceof RolloutCompleted) {
            completed.increment();
        } else if (event.data() instanceof RolloutAborted) {
            aborted.increment();
        }
    }

    void began() {
        projectingSince.set(System.currentTimeMillis());
    }

    void ended() {
        projectingSince.set(0);
    }

    void retried() {
        retried.increment();
    }

    void lag(long records) {
        lag.set(records);
    }
}
