package dev.slipway.cas.flag;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Flag documents kept in the store beside the blobs, one per recipe digest, changed only by compare-and-set:
 * two writers never lose each other's change; and beside them one signed channel state per deployment set, kept
 * as its envelope's bytes, the same way. Thread-safe; blocking I/O.
 */
public interface FlagStore extends FlagReader {

    /** How many times {@link #update} re-reads and retries when another writer got there first. */
    int UPDATE_ATTEMPTS = 32;

    /** A document and the version it was read at. */
    record Versioned(Flags flags, String version) {

        /** True when no document exists yet; {@link #version} is then null. */
        public boolean absent() {
            return version == null;
        }
    }

    /** A set's signed channel state as stored, and the version it was read at; both null when there is none. */
    record Document(byte[] bytes, String version) {
    }

    /** The recipe's flags, or {@link Flags#none} with a null version when it has none yet. */
    Versioned read(Digest recipe) throws IOException;

    @Override
    default Flags flagsOf(Digest recipe) throws IOException {
        return read(recipe).flags();
    }

    /**
     * Writes {@code next} only if the stored document is still at {@code expectedVersion} (null: only if there
     * is none yet).
     *
     * @return false when another writer changed it first; read again and retry
     */
    boolean replace(Digest recipe, String expectedVersion, Flags next) throws IOException;

    /**
     * Applies {@code change} to the current flags and stores the result, retrying on concurrent changes.
     *
     * @return the flags as stored
     * @throws IllegalStateException from {@code change} when the change is not allowed, or when writers kept
     *                               racing past {@link #UPDATE_ATTEMPTS}
     */
    default Flags update(Digest recipe, UnaryOperator<Flags> change) throws IOException {
        for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
            Versioned current = read(recipe);
            Flags next = change.apply(current.flags());
            if (next.equals(current.flags()) || replace(recipe, current.version(), next)) {
                return next;
            }
        }
        throw new IllegalStateException("flags of " + recipe + " kept changing under " + UPDATE_ATTEMPTS
                + " attempts; try again");
    }

    /** The set's channel state envelope; {@code Document(null, null)} when none was stored yet. */
    Document readChannelState(String deploymentSet) throws IOException;

    /** Like {@link #replace}: writes only if the stored state is still at {@code expectedVersion}. */
    boolean replaceChannelState(String deploymentSet, String expectedVersion, byte[] envelope) throws IOException;

    /** Every set that has a channel state. */
    List<String> channelStateSets() throws IOException;

    /**
     * The store's list of recipes whose builders have not agreed yet (its flagger's bookkeeping, so that a
     * deadline is judged even after a restart); {@code Document(null, null)} when there is none yet.
     */
    Document readPendingAgreements() throws IOException;

    /** Like {@link #replace}: writes only if the stored list is still at {@code expectedVersion}. */
    boolean replacePendingAgreements(String expectedVersion, byte[] document) throws IOException;
}
