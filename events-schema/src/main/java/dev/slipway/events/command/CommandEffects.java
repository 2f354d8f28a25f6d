package dev.slipway.events.command;

import dev.slipway.events.Event;

/**
 * The one event each command leads to when it is carried out, named so that anyone can tell whether it was: the
 * store's flag for a promote, its revocation for a revoke, the relayed entry on the set's log for the rest. Its id
 * is {@link Event#idCausedBy} of the command's id and the effect's name.
 */
public final class CommandEffects {

    public static final String DEPLOYABLE = "deployable";
    public static final String REVOKED = "revoked";
    public static final String RELAYED = "relayed";

    private CommandEffects() {
    }

    /** The id the effect of the command with this id and CloudEvents type carries. */
    public static String effectIdOf(String commandId, String type) {
        String what = PromoteRequested.TYPE.equals(type) ? DEPLOYABLE : RevokeRequested.TYPE.equals(type) ? REVOKED
                : RELAYED;
        return Event.idCausedBy(commandId, what);
    }
}
