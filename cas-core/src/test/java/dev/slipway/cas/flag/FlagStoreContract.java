package dev.slipway.cas.flag;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.digest.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link FlagStore} backend must do: compare-and-set, and no lost update under concurrency. */
abstract class FlagStoreContract {

    static final Digest RECIPE = Digest.of("recipe".getBytes(UTF_8));
    static final Digest ARTIFACT = Digest.of("artifact".getBytes(UTF_8));
    static final Digest PROVENANCE = Digest.of("provenance".getBytes(UTF_8));
    static final Instant AT = Instant.parse("2026-11-24T12:00:00Z");
    static final Flags.Built BUILT = new Flags.Built(ARTIFACT, PROVENANCE, "payments-api", "builder-1", AT);

    FlagStore store;

    abstract FlagStore emptyStore() throws Exception;

    @BeforeEach
    void createStore() throws Exception {
        store = emptyStore();
    }

    @Test
    void aRecipeWithoutFlagsReadsAsNone() throws Exception {
        FlagStore.Versioned read = store.read(RECIPE);

        assertTrue(read.absent());
        assertEquals(Flags.none(RECIPE), read.flags());
    }

    @Test
    void storesAndReadsFlagsBack() throws Exception {
        Flags flags = Flags.none(RECIPE).withBuilt(BUILT)
                .withDeployable("staging", new Flags.Deployable(ARTIFACT, "auto", AT));

        assertTrue(store.replace(RECIPE, null, flags));

        FlagStore.Versioned read = store.read(RECIPE);
        assertEquals(flags, read.flags());
        assertFalse(read.absent());
    }

    @Test
    void aStaleWriterIsRefusedAndTheNewerDocumentKept() throws Exception {
        store.replace(RECIPE, null, Flags.none(RECIPE).withBuilt(BUILT));
        String first = store.read(RECIPE).version();
        Flags staging = store.read(RECIPE).flags().withDeployable("staging", new Flags.Deployable(ARTIFACT, "a", AT));
        assertTrue(store.replace(RECIPE, first, staging));
        String second = store.read(RECIPE).version();
        assertNotEquals(first, second);

        Flags production = Flags.none(RECIPE).withBuilt(BUILT)
                .withDeployable("production", new Flags.Deployable(ARTIFACT, "b", AT));
        assertFalse(store.replace(RECIPE, first, production), "a writer holding an old version must be refused");
        assertFalse(store.replace(RECIPE, null, production), "creating over an existing document must be refused");

        assertEquals(staging, store.read(RECIPE).flags());
    }

    @Test
    void concurrentWritersNeverLoseEachOthersFlag() throws Exception {
        store.update(RECIPE, flags -> flags.withBuilt(BUILT));
        List<String> channels = IntStream.range(0, 8).mapToObj(i -> "channel-" + i).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Flags>> writes = new ArrayList<>();
            for (String channel : channels) {
                writes.add(pool.submit(() -> store.update(RECIPE,
                        flags -> flags.withDeployable(channel, new Flags.Deployable(ARTIFACT, channel, AT)))));
            }
            for (Future<Flags> write : writes) {
                write.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(channels.stream().collect(Collectors.toSet()), store.read(RECIPE).flags().deployable().keySet());
    }

    @Test
    void aRevokedRecipeCannotBeFlaggedDeployableAgain() throws Exception {
        store.update(RECIPE, flags -> flags.withBuilt(BUILT)
                .withDeployable("staging", new Flags.Deployable(ARTIFACT, "a", AT)));
        Flags revoked = store.update(RECIPE, flags -> flags.withRevoked(new Flags.Revoked("CVE-2026-1", "alice", AT)));

        assertEquals(0, revoked.deployable().size());
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> store.update(RECIPE,
                flags -> flags.withDeployable("production", new Flags.Deployable(ARTIFACT, "b", AT))));
        assertTrue(error.getMessage().contains("revoked"), error.getMessage());
        assertNull(store.read(RECIPE).flags().deployable().get("production"));
    }
}
