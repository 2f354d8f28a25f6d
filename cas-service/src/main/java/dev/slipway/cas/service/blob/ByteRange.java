package dev.slipway.cas.service.blob;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of a blob, from an HTTP {@code Range} header ({@code bytes=a-b}, {@code bytes=a-},
 * {@code bytes=-n}). Multi-range requests are answered with the whole blob, as RFC 9110 allows; an invalid range
 * ({@code bytes=5-3}) is ignored, as it requires; and an empty blob is always sent whole (no range of it has a
 * first byte to name).
 */
record ByteRange(long offset, long length) {

    /** The header named a range that does not overlap the blob: answer 416. */
    static final class Unsatisfiable extends Exception {
        Unsatisfiable(String header, long size) {
            super("range '" + header + "' is outside the blob's " + size + " bytes");
        }
    }

    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /** Empty when there is no usable single range, so the whole blob is served. */
    static Optional<ByteRange> parse(String header, long size) throws Unsatisfiable {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return Optional.empty();
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0) {
                    throw new Unsatisfiable(header, size);
                }
                if (size == 0) {
                    return Optional.empty();
                }
                long length = Math.min(suffix, size);
                return Optional.of(new ByteRange(size - length, length));
            }
            long first = Long.parseLong(m.group(1));
            if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
                return Optional.empty();
            }
            long last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            if (first >= size) {
                throw new Unsatisfiable(header, size);
            }
            return Optional.of(new ByteRange(first, last - first + 1));
        } catch (NumberFormatException tooLong) {
            throw new Unsatisfiable(header, size);
        }
    }

    String contentRange(long size) {
        return "bytes " + offset + "-" + (offset + length - 1) + "/" + size;
    }
}
