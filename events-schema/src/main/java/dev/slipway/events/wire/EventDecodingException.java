package dev.slipway.events.wire;

/**
 * A Kafka record that is not a valid Slipway event. The {@link Reason} travels to the dead-letter topic as a
 * header; the message says what was wrong and what was expected.
 */
public final class EventDecodingException extends Exception {

    /** Why a record was refused. Wire names are stable: they appear in dead-letter headers. */
    public enum Reason {
        UNSUPPORTED_SPEC_VERSION("unsupported-spec-version"),
        UNSUPPORTED_CONTENT_TYPE("unsupported-content-type"),
        MISSING_ATTRIBUTE("missing-attribute"),
        MALFORMED_ATTRIBUTE("malformed-attribute"),
        UNKNOWN_TYPE("unknown-type"),
        WRONG_TOPIC("wrong-topic"),
        KEY_MISMATCH("key-mismatch"),
        MALFORMED_BODY("malformed-body"),
        INVALID_BODY("invalid-body");

        private final String wireName;

        Reason(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    private final Reason reason;

    public EventDecodingException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public EventDecodingException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
