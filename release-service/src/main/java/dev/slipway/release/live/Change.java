package dev.slipway.release.live;

import java.time.Instant;

/**
 * What the console hears of a projected event: enough to know which part of the page to refresh. {@code type}
 * is the event type, {@code heartbeat} for the keep-alive that proxies need to see.
 */
public record Change(String type, String deploymentSet, String summary, Instant time) {

    static Change heartbeat(Instant now) {
        return new Change("heartbeat", null, null, now);
    }
}
