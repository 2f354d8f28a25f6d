package dev.slipway.release.auth;

/** What a token may do. Configuration spells roles in lower case: {@code viewer}, {@code operator}. */
public enum Role {
    /** Read the API and the console's live stream. */
    VIEWER,
    /** Also send commands: promote, pause, resume, roll back, revoke. */
    OPERATOR
}
