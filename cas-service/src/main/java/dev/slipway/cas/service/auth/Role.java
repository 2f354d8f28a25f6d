package dev.slipway.cas.service.auth;

/** What a token may do. Configuration spells roles in lower case: {@code reader}, {@code builder}, {@code releaser}, {@code admin}. */
public enum Role {
    /** GET and HEAD blobs and action-cache entries. */
    READER,
    /** PUT blobs and action-cache entries. */
    BUILDER,
    /** Set and withdraw flags. */
    RELEASER,
    /** Delete blobs (garbage collection, quarantine). */
    ADMIN
}
