package dev.slipway.release.api;

/** Every error the API answers: the status again, and a message that says what to fix. */
public record Problem(int status, String message) {
}
