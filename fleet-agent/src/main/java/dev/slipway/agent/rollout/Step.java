package dev.slipway.agent.rollout;

import dev.slipway.events.SlipwayEvent;

/**
 * One thing an agent decided to do ({@link Decisions}); the agent's shell carries it out. {@link #key()} names
 * it so that the shell does it once: a step whose key the shell remembers as done is not decided again.
 */
public sealed interface Step {

    String key();

    /**
     * Appends an event to the set's log.
     *
     * @param eventId the event's id when every agent must append the same one (announcements); null: a new id
     */
    record Append(String key, SlipwayEvent event, String eventId) implements Step {
    }

    /** Reads the recipe, verifies the build's provenance and installs the artifact, for this rollout. */
    record Prepare(String rolloutId, String recipe, String artifact) implements Step {
        @Override
        public String key() {
            return "prepare/" + rolloutId;
        }
    }

    /**
     * Holding a slot: drain, switch, start, check health, and say how it went; a host already on the version only
     * checks its health. {@code switchedBefore}: the log says this host began switching to it earlier (it
     * crashed since), so a failing health check sends it back.
     */
    record TakeSlot(Rollout rollout, boolean switchedBefore) implements Step {
        @Override
        public String key() {
            return "slot/" + rollout.id();
        }
    }

    /** Holding a slot to go back: drain, switch to the version before the rollout's, start, check health. */
    record GoBack(Rollout rollout) implements Step {
        @Override
        public String key() {
            return "back/" + rollout.id();
        }
    }

    /**
     * Reads the log of the set that {@code after} names and, when its last completed rollout is of {@code release}
     * (or of the recipe {@code after} names), says so on this set's log ({@code PrerequisiteMet}).
     */
    record CheckPrerequisite(String rolloutId, String after, String release) implements Step {
        @Override
        public String key() {
            return "after/" + rolloutId + "/" + after;
        }
    }

    /** This agent must not act for its host; {@code why} says what an operator should do. */
    record StandAside(String why) implements Step {
        @Override
        public String key() {
            return "aside";
        }
    }
}
