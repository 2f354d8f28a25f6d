package dev.slipway.release.live;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;

/**
 * Fans changes out to every open console. Only events whose transaction committed are published, so a
 * page that refreshes on a change reads the new rows. A slow page loses changes rather than holding the
 * projection back; it refreshes from the API on the next one.
 */
@Singleton
public class LiveUpdates {

    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final BroadcastProcessor<Change> changes = BroadcastProcessor.create();

    public void publish(Change change) {
        changes.onNext(change);
    }

    public Multi<Change> stream() {
        Multi<Change> heartbeats = Multi.createFrom().ticks().every(HEARTBEAT).map(tick -> Change.heartbeat(Instant.now()));
        return Multi.createBy().merging().streams(changes.onOverflow().drop(), heartbeats);
    }
}
