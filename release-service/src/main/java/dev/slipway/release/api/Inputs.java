package dev.slipway.release.api;

import java.util.regex.Pattern;

/**
 * What the API accepts from a caller, checked before anything reaches the broker or the database: a value that
 * PostgreSQL or a consumer downstream would refuse (a NUL byte, say) is refused here, where the caller sees why.
 */
public final class Inputs {

    /** Set, host, channel and rollout names: what the event schemas allow. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    public static final int MAX_TEXT = 4096;

    private Inputs() {
    }

    /** A name as the event schemas allow it; a 400 that says so otherwise. */
    public static String name(String value, String field) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new ProblemException(400, field + " must be 1 to 128 letters, digits, '.', '_' or '-' (starting "
                    + "with a letter or digit), not " + quoted(value));
        }
        return value;
    }

    /** Free text for the audit trail (a reason): present, at most {@link #MAX_TEXT} characters, printable. */
    public static String text(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new ProblemException(400, field + " is required: say why, for the audit trail");
        }
        if (value.length() > MAX_TEXT) {
            throw new ProblemException(400, field + " is " + value.length() + " characters long; at most " + MAX_TEXT);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
                throw new ProblemException(400, field + " holds the control character U+"
                        + String.format("%04X", (int) c) + " at position " + i + "; use printable text");
            }
        }
        return value;
    }

    /** A whole number within bounds, from a query parameter; {@code fallback} when absent. */
    public static int number(String value, String field, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // Said below, with the bounds.
        }
        throw new ProblemException(400, field + " must be a whole number from " + min + " to " + max + ", not "
                + quoted(value));
    }

    /** The value for a message: quoted, control characters escaped, cut short. */
    public static String quoted(String value) {
        if (value == null) {
            return "nothing";
        }
        StringBuilder shown = new StringBuilder("'");
        value.codePoints().limit(64).forEach(c -> shown.append(c < 0x20 || c == 0x7f
                ? String.format("\\u%04x", c) : new String(Character.toChars(c))));
        return shown.append(value.length() > 64 ? "…'" : "'").toString();
    }
}
