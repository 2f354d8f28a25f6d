package dev.slipway.cas.action;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.util.Optional;

/**
 * Bazel's action cache: small entries keyed by an action's digest (for Slipway, a recipe's). Unlike blobs, an
 * entry is not named by its own bytes, so it cannot be verified against its key: readers check what it points at.
 */
public interface ActionCache {

    Optional<byte[]> get(Digest action) throws IOException;

    /** Replaces the entry, whole. */
    void put(Digest action, byte[] entry) throws IOException;
}
