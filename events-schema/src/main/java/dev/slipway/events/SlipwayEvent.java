package dev.slipway.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.slipway.events.agent.AgentEvent;
import dev.slipway.events.artifact.ArtifactEvent;
import dev.slipway.events.artifact.DeployableEvent;
import dev.slipway.events.build.BuildEvent;
import dev.slipway.events.command.CommandEvent;
import dev.slipway.events.rollout.SetLogEvent;

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

    /**
     * Calls the visitor's method for this event's type. Every event is one of the sealed per-topic interfaces
     * ({@link BuildEvent}, {@link ArtifactEvent}, {@link DeployableEvent}, {@link SetLogEvent}, {@link AgentEvent},
     * {@link CommandEvent}), and a visitor has a method for each of their types: where code dispatches on events,
     * a new type fails to compile until it is handled.
     */
    <R> R accept(Visitor<R> visitor);

    /** A method for every event type of every topic. */
    interface Visitor<R> extends BuildEvent.Visitor<R>, ArtifactEvent.Visitor<R>, DeployableEvent.Visitor<R>,
            SetLogEvent.Visitor<R>, AgentEvent.Visitor<R>, CommandEvent.Visitor<R> {
    }
}
