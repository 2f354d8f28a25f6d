package dev.slipway.release.auth;

/** What a token may do. Configuration spells roles in lower case: {@code viewer}, {@code operator}. */
public enum Role {
    /** Read the API and the console's live stream. */
    VIEWER,
    /** Also send commands: promote, pause, resume, roll back, revoke, and place or release holds. */
    OPERATOR,
    /**
     * Place and release named holds on sets, and nothing else: the token a service around a set gets (a database
     * migration, a load balancer's controller), so that holding a set does not mean being able to release one.
     */
    HOLDER;

    /** Whether a token with this role may do what {@code needed} allows. */
    public boolean grants(Role needed) {
        return this == needed || (this == OPERATOR && needed == HOLDER);
    }
}
