package dev.slipway.release.api;

import dev.slipway.cas.digest.Digest;

/** Digests from requests: parsed strictly, refused with 400 and the parser's reason. */
public final class Digests {

    private Digests() {
    }

    public static String parse(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new ProblemException(400, name + " is required: a digest such as sha256:<64 lowercase hex>");
        }
        try {
            return Digest.parse(value).toString();
        } catch (IllegalArgumentException e) {
            throw new ProblemException(400, name + ": " + e.getMessage());
        }
    }
}
