package dev.slipway.cas.archive;

import java.io.IOException;

/** An archive entry that would escape the target directory, or an archive past its bounds; nothing is kept. */
public final class UnsafeArchiveException extends IOException {

    public UnsafeArchiveException(String entry, String why) {
        super("unsafe archive entry '" + entry + "': " + why);
    }
}
