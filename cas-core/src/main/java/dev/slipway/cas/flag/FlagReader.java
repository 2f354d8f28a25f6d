package dev.slipway.cas.flag;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;

/** Reads flags without changing them: all an agent or a builder may do (only cas-service writes flags). */
public interface FlagReader {

    /** The recipe's flags; {@link Flags#none} when it has none. */
    Flags flagsOf(Digest recipe) throws IOException;
}
