package dev.slipway.events;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The payload of one Slipway event: an immutable record registered in {@link EventCatalog}.
 *
 * <p>Implementations are plain data; the envelope (id, source, time) lives in {@link Event}.
 */
public interface SlipwayEvent {

    /**
     * The Kafka record key that orders this event among its peers: everything about one
     * deployment set shares a key, so it shares a partition.
     */
    @JsonIgnore
    String key();
}
