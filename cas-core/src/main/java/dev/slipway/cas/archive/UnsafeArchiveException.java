package dev.slipway.cas.archive;

import java.io.IOException;

/** An archive entry that would escape the target directory, or an archive past its bounds; nothing is kept. */
public final class UnsafeArchiveException extends IOException {

    public UnsafeArchiveException(String entry, String why) {
        super("unsafe archive entry '" + entry + "': " + why);
    }

    private UnsafeArchiveException(String message) {
        super(message);
    }

    /** Bytes that are the artifact's, verified, but not a tar archive that can be read to its end. */
    public static UnsafeArchiveException unreadable(IOException why) {
        return new UnsafeArchiveException("not a readable tar archive: " + why.getMessage());
    }
}
