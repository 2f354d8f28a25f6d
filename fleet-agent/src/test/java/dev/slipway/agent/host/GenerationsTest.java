package dev.slipway.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.archive.ReproducibleTar;
import dev.slipway.cas.archive.SafeUntar;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private Digest install(Generations generations, String version) throws IOException {
        Path tree = Files.createDirectories(root.resolveSibling(root.getFileName() + "-src").resolve(version));
        Files.writeString(tree.resolve("version"), version);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        ReproducibleTar.pack(tree, tar);
        Digest digest = Digest.of(tar.toByteArray());
        generations.install(digest, VerifyingInputStream.ofUpload(new ByteArrayInputStream(tar.toByteArray()), digest),
                new SafeUntar(SafeUntar.Limits.DEFAULT));
        return digest;
    }
}
