package dev.slipway.release.projection;

import dev.slipway.events.Event;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutStarted;
import io.micrometer.core.instrument.Counter;
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
    private final AtomicLong lag = new AtomicLong();

    public ProjectionMetrics(MeterRegistry registry) {
        started = Counter.builder("slipway.rollouts.started").description("Rollouts started").register(registry);
        completed = Counter.builder("slipway.rollouts.completed").description("Rollouts completed").register(registry);
        aborted = Counter.builder("slipway.rollouts.aborted").description("Rollouts aborted").register(registry);
        events = Counter.builder("slipway.projection.events").description("Events projected").register(registry);
        registry.gauge("slipway.projection.lag.records", lag);
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

    void lag(long records) {
        lag.set(records);
    }
}
