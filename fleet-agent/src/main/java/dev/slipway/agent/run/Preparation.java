package dev.slipway.agent.run;

import dev.slipway.agent.host.Generations;
import dev.slipway.cas.archive.SafeUntar;
import dev.slipway.cas.archive.UnsafeArchiveException;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import dev.slipway.cas.flag.FlagReader;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import dev.slipway.events.recipe.InvalidRecipeException;
import dev.slipway.events.recipe.Recipe;
import dev.slipway.events.recipe.RecipeJson;
import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Readies a release on this host: reads its recipe, checks that the store has a verified build of the
 * artifact whose provenance a trusted builder signed, and unpacks the artifact, verified to its last byte,
 * into {@link Generations}. Runs on the agent's thread; blocking I/O.
 */
final class Preparation {

    /** How it went. */
    sealed interface Outcome {
        /** The recipe was read and the artifact is installed. */
        record Ready() implements Outcome {
        }

        /** The host cannot take this release: what failed to verify. */
        record Refused(String why) implements Outcome {
        }

        /** The store could not be read (down, restarting): try again later. */
        record Unavailable(String why) implements Outcome {
        }
    }

    private final BlobStore store;
    private final FlagReader flags;
    private final Generations generations;
    private final Map<String, PublicKey> trustedBuilders;

    Preparation(BlobStore store, FlagReader flags, Generations generations, Map<String, PublicKey> trustedBuilders) {
        this.store = store;
        this.flags = flags;
        this.generations = generations;
        this.trustedBuilders = trustedBuilders;
    }

    /**
     * Installs an artifact whose release this host verified (now, or before its tree was found damaged): by its
     * digest alone, which the bytes fetched must match to the last one.
     */
    Outcome install(Digest artifact) {
        try (InputStream in = store.open(artifact)) {
            generations.install(artifact, in, new SafeUntar(SafeUntar.Limits.DEFAULT));
            return new Outcome.Ready();
        } catch (DigestMismatchException e) {
            return new Outcome.Refused("the store's " + artifact + " does not match its digest: " + e.getMessage());
        } catch (UnsafeArchiveException e) {
            return new Outcome.Refused("the artifact " + artifact + " is not a safe archive: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new Outcome.Unavailable("cannot read " + artifact + " from the store: " + e.getMessage());
        }
    }

    /** @param recipeRead called with the recipe as soon as it is read, before the artifact is fetched */
    Outcome prepare(String recipeName, String artifactName, Consumer<Recipe> recipeRead) {
        try {
            Digest recipeDigest = Digest.parse(recipeName);
            Digest artifact = Digest.parse(artifactName);
            try (InputStream in = store.open(recipeDigest)) {
                recipeRead.accept(RecipeJson.read(in.readAllBytes()));
            }
            Flags.Built built = flags.flagsOf(recipeDigest).built();
            if (built == null || !built.artifact().equals(artifact)) {
                return new Outcome.Refused("the store has no verified build of " + artifact + " from recipe " + recipeDigest);
            }
            try (InputStream envelope = store.open(built.provenance())) {
                Provenance provenance = Provenance.verify(envelope.readAllBytes(), trustedBuilders);
                if (!provenance.artifact().equals(artifact)) {
                    return new Outcome.Refused("provenance is for " + provenance.artifact() + ", not " + artifact);
                }
            }
            return install(artifact);
        } catch (DigestMismatchException e) {
            return new Outcome.Refused("a blob of " + artifactName + " does not match its digest: " + e.getMessage());
        } catch (UntrustedProvenanceException e) {
            return new Outcome.Refused("provenance does not verify: " + e.getMessage());
        } catch (InvalidRecipeException e) {
            return new Outcome.Refused("recipe " + recipeName + " is invalid: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Outcome.Refused("the release names a malformed digest: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new Outcome.Unavailable("cannot read " + artifactName + " from the store: " + e.getMessage());
        }
    }
}
