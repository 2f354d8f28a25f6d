package dev.slipway.cas.digest;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The name of a blob: {@code sha256:} and the 64 lowercase hex digits of the SHA-256 of its bytes.
 * Parsing is strict (no uppercase, no whitespace, no other algorithm), so one blob has exactly one name.
 */
public record Digest(String hex) {

    public static final String PREFIX = "sha256:";
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: '" + hex + "'; expected 64 lowercase hex digits");
        }
    }

    /**
     * Parses {@code sha256:<64 lowercase hex>}.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    @JsonCreator
    public static Digest parse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a digest: '" + text + "'; expected sha256:<64 lowercase hex>");
        }
        return new Digest(text.substring(PREFIX.length()));
    }

    /** The digest of {@code bytes}; for large blobs stream them through a verifying stream instead. */
    public static Digest of(byte[] bytes) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(bytes)));
    }

    /** The digest of {@code length} bytes of {@code bytes} from {@code offset}, without copying them. */
    public static Digest of(byte[] bytes, int offset, int length) {
        MessageDigest sha256 = sha256();
        sha256.update(bytes, offset, length);
        return new Digest(HexFormat.of().formatHex(sha256.digest()));
    }

    /** A fresh SHA-256 hasher. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @JsonValue
    @Override
    public String toString() {
        return PREFIX + hex;
    }
}
