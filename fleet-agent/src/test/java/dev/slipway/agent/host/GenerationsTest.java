package dev.slipway.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.archive.ReproducibleTar;
import dev.slipway.cas.archive.SafeUntar;
import dev.slipway.cas.archive.UnsafeArchiveException;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import dev.slipway.cas.digest.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's generations on disk: what garbage collection keeps, and what it refuses to be set up for. */
class GenerationsTest {

    @TempDir
    Path root;

    @Test
    void fewerThanTwoGenerationsAreRefusedAtStartWithWhatToSet() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new Generations(root, 1));

        assertTrue(refused.getMessage().contains("slipway.agent.keep-generations"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Generations(root, 0));
    }

    @Test
    void anArtifactPreparedForARolloutToComeSurvivesTheCollectionOfASwitch() throws IOException {
        Generations generations = new Generations(root, 2);
        Digest v1 = install(generations, "v1");
        generations.switchTo(v1, Set.of());
        Digest v2 = install(generations, "v2");
        generations.switchTo(v2, Set.of());
        Digest v3 = install(generations, "v3");

        generations.switchTo(v1, Set.of(v3));

        assertTrue(generations.installed(v3), "prepared for the next rollout, not yet switched to");
        generations.switchTo(v3, Set.of());
        assertEquals(Optional.of(v1), generations.previous());
        assertFalse(generations.installed(v2), "beyond the two kept generations and pinned by nothing");
    }

    @Test
    void aWholeTreeIsKeptAtStartAndOneThatDiffersFromItsSealOrHasNoneIsRemoved() throws IOException {
        Generations before = new Generations(root, 3);
        Digest whole = install(before, "v1");
        Digest truncated = install(before, "v2");
        Digest unsealed = install(before, "v3");
        before.switchTo(truncated, Set.of(whole, unsealed));
        Path file = root.resolve("store/sha256-" + truncated.hex() + "/version");
        file.toFile().setWritable(true);
        Files.write(file, new byte[0]);
        Files.delete(root.resolve("seals/sha256-" + unsealed.hex()));

        Generations after = new Generations(root, 3);

        assertEquals(Set.of(truncated, unsealed), Set.copyOf(after.discarded()));
        assertTrue(after.installed(whole));
        assertFalse(after.installed(truncated));
        assertFalse(after.installed(unsealed));
        assertEquals(Optional.of(truncated), after.current(), "current still says what the host ran");
        install(after, "v2");
        assertTrue(after.installed(truncated));
        assertEquals(List.of(), new Generations(root, 3).discarded(), "a tree installed again is whole");
    }

    @Test
    void eachGenerationKeepsItsArchiveByteForByteUntilItIsCollected() throws IOException {
        Generations generations = new Generations(root, 2);
        Digest v1 = install(generations, "v1");
        generations.switchTo(v1, Set.of());
        Digest v2 = install(generations, "v2");
        generations.switchTo(v2, Set.of());

        assertEquals(List.of(v2, v1), generations.archives().stream().map(Generations.Archive::artifact).toList());
        for (Generations.Archive archive : generations.archives()) {
            assertEquals(archive.artifact(), Digest.of(Files.readAllBytes(archive.file())));
        }
        generations.switchTo(install(generations, "v3"), Set.of());
        assertEquals(2, generations.archives().size());
        assertFalse(Files.exists(root.resolve("archives/sha256-" + v1.hex())), "collected with its tree");
    }

    @Test
    void anArchiveThatFailsVerificationIsNotKept() throws IOException {
        Generations generations = new Generations(root, 2);
        byte[] tar = tarOf("v1");
        Digest claimed = Digest.of("something else".getBytes());

        assertThrows(IOException.class, () -> generations.install(claimed,
                VerifyingInputStream.ofUpload(new ByteArrayInputStream(tar), claimed),
                new SafeUntar(SafeUntar.Limits.DEFAULT)));

        try (var left = Files.list(root.resolve("archives"))) {
            assertEquals(List.of(), left.toList());
        }
        assertFalse(generations.installed(claimed));
    }

    @Test
    void damagedBytesThatBreakTheTarSayTheyAreDamagedAndVerifiedBytesThatAreNoTarSaySo() throws IOException {
        Generations generations = new Generations(root, 2);
        byte[] tar = tarOf("v1");
        Digest digest = Digest.of(tar);
        byte[] damaged = tar.clone();
        for (int i = 0; i < 512; i++) {
            damaged[i] ^= 1; // the first header: the tar reader gives up long before the digest is known
        }
        byte[] notATar = "not a tar archive, but exactly the artifact's bytes".repeat(20).getBytes();
        Digest notATarDigest = Digest.of(notATar);

        IOException wrong = assertThrows(IOException.class, () -> generations.install(digest,
                VerifyingInputStream.ofUpload(new ByteArrayInputStream(damaged), digest),
                new SafeUntar(SafeUntar.Limits.DEFAULT)));
        IOException unreadable = assertThrows(IOException.class, () -> generations.install(notATarDigest,
                VerifyingInputStream.ofUpload(new ByteArrayInputStream(notATar), notATarDigest),
                new SafeUntar(SafeUntar.Limits.DEFAULT)));

        assertInstanceOf(DigestMismatchException.class, wrong, wrong.toString());
        assertInstanceOf(UnsafeArchiveException.class, unreadable, unreadable.toString());
        assertTrue(unreadable.getMessage().contains("not a readable tar archive"), unreadable.getMessage());
        assertFalse(generations.installed(digest));
        assertFalse(generations.installed(notATarDigest));
    }

    @Test
    void anArchiveWhoseTreeIsGoneIsRemovedAtStart() throws IOException {
        Generations before = new Generations(root, 2);
        Digest v1 = install(before, "v1");
        before.switchTo(v1, Set.of());
        Files.delete(root.resolve("seals/sha256-" + v1.hex()));

        Generations after = new Generations(root, 2);

        assertEquals(List.of(), after.archives());
        assertFalse(Files.exists(root.resolve("archives/sha256-" + v1.hex())));
    }

    private byte[] tarOf(String version) throws IOException {
        Path tree = Files.createDirectories(root.resolveSibling(root.getFileName() + "-src").resolve(version));
        Files.writeString(tree.resolve("version"), version);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        ReproducibleTar.pack(tree, tar);
        return tar.toByteArray();
    }

    private Digest install(Generations generations, String version) throws IOException {
        byte[] tar = tarOf(version);
        Digest digest = Digest.of(tar);
        generations.install(digest, VerifyingInputStream.ofUpload(new ByteArrayInputStream(tar), digest),
                new SafeUntar(SafeUntar.Limits.DEFAULT));
        return digest;
    }
}
