package dev.slipway.agent.run;

import dev.slipway.agent.host.Generations;
import dev.slipway.cas.archive.SafeUntar;
import dev.slipway.cas.archive.UnsafeArchiveException;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.chunk.ChunkIndex;
import dev.slipway.cas.chunk.DeltaDownload;
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
import java.nio.file.Files;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Readies a release on this host: reads its recipe, checks that the store has a verified build of the
 * artifact whose provenance a trusted builder signed, and unpacks the artifact, verified to its last byte,
 * into {@link Generations}: fetched whole, or assembled from the chunks the host lacks and the archive of a
 * version it holds. Runs on the agent's thread; blocking I/O.
 */
final class Preparation {

    private static final Logger LOG = Logger.getLogger(Preparation.class);
    /** Past this share of the bytes, one whole download beats fetching chunk by chunk. */
    private static final double MAX_DELTA_SHARE = 0.5;

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
    private final int requiredBuilders;
    private final Map<Digest, ChunkIndex> localIndexes = new ConcurrentHashMap<>();

    Preparation(BlobStore store, FlagReader flags, Generations generations, Map<String, PublicKey> trustedBuilders) {
        this(store, flags, generations, trustedBuilders, 1);
    }

    /** @param requiredBuilders how many distinct trusted builders must have signed provenance of an artifact */
    Preparation(BlobStore store, FlagReader flags, Generations generations, Map<String, PublicKey> trustedBuilders,
            int requiredBuilders) {
        this.requiredBuilders = requiredBuilders;
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

    /**
     * Installs an artifact reading only the chunks this host lacks, when it has an earlier version's archive and
     * the index says that saves more than half the bytes; whole otherwise, and whole again if assembling fails.
     */
    private Outcome installByChunks(Digest artifact, Digest chunkIndex) {
        List<Generations.Archive> archives;
        try {
            archives = generations.archives();
        } catch (IOException e) {
            archives = List.of();
        }
        if (chunkIndex == null || archives.isEmpty() || generations.installed(artifact)) {
            return install(artifact);
        }
        try {
            ChunkIndex wanted;
            try (InputStream in = store.open(chunkIndex)) {
                wanted = ChunkIndex.parse(in);
            }
            if (!wanted.whole().equals(artifact)) {
                LOG.warnf("chunk index %s is of %s, not %s; fetching it whole", chunkIndex, wanted.whole(), artifact);
                return install(artifact);
            }
            localIndexes.keySet().retainAll(archives.stream().map(Generations.Archive::artifact).toList());
            List<DeltaDownload.Local> sources = new ArrayList<>();
            for (Generations.Archive archive : archives) {
                sources.add(new DeltaDownload.Local(archive.file(), localIndex(archive)));
            }
            DeltaDownload.Plan plan = DeltaDownload.plan(wanted, sources);
            if (plan.fetchedShare() > MAX_DELTA_SHARE) {
                return install(artifact);
            }
            try (InputStream in = DeltaDownload.open(plan, store)) {
                generations.install(artifact, in, new SafeUntar(SafeUntar.Limits.DEFAULT));
            }
            LOG.infof("installed %s reading %d of its %d bytes (%.1f%%) in %d ranges; the rest came from the archives "
                    + "of %s", artifact, plan.bytesToFetch(), wanted.size(), 100 * plan.fetchedShare(), plan.ranges(),
                    archives.stream().map(Generations.Archive::artifact).toList());
            return new Outcome.Ready();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot install %s from its chunks (%s); fetching it whole", artifact, e.getMessage());
            return install(artifact);
        }
    }

    /** How an archive this host holds is cut: computed once per agent run, from the file itself. */
    private ChunkIndex localIndex(Generations.Archive archive) throws IOException {
        ChunkIndex known = localIndexes.get(archive.artifact());
        if (known == null) {
            try (InputStream in = Files.newInputStream(archive.file())) {
                known = ChunkIndex.of(in);
            }
            localIndexes.put(archive.artifact(), known);
        }
        return known;
    }

    /** The trusted builders that signed provenance of this artifact, one per provenance, and the last doubt. */
    private record Vouched(Provenance provenance, Set<String> signers, String doubt) {
    }

    /**
     * Verifies, each under this host's own trusted keys, the provenance of every builder the store says built
     * the artifact: the store can hide a builder's claim (then this host refuses), never add one.
     */
    private Vouched vouchedFor(Flags recorded, Digest recipe, Digest artifact) throws IOException {
        Set<Digest> provenances = new LinkedHashSet<>();
        provenances.add(recorded.built().provenance());
        recorded.claims().values().stream().filter(claim -> claim.artifact().equals(artifact))
                .forEach(claim -> provenances.add(claim.provenance()));
        Provenance first = null;
        Set<String> signers = new TreeSet<>();
        String doubt = null;
        for (Digest digest : provenances) {
            try (InputStream envelope = store.open(digest)) {
                Provenance.Signed signed = Provenance.verifySigned(envelope.readAllBytes(), trustedBuilders);
                if (!signed.provenance().artifact().equals(artifact) || !signed.provenance().recipe().equals(recipe)) {
                    doubt = "provenance " + digest + " is for " + signed.provenance().artifact() + ", not " + artifact;
                    continue;
                }
                if (signed.signers().stream().noneMatch(signers::contains)) {
                    signers.add(signed.signers().first());
                    first = first == null ? signed.provenance() : first;
                }
            } catch (UntrustedProvenanceException e) {
                doubt = "provenance does not verify: " + e.getMessage();
            }
        }
        return new Vouched(first, signers, doubt);
    }

    /** @param recipeRead called with the recipe as soon as it is read, before the artifact is fetched */
    Outcome prepare(String recipeName, String artifactName, Consumer<Recipe> recipeRead) {
        try {
            Digest recipeDigest = Digest.parse(recipeName);
            Digest artifact = Digest.parse(artifactName);
            try (InputStream in = store.open(recipeDigest)) {
                recipeRead.accept(RecipeJson.read(in.readAllBytes()));
            }
            Flags recorded = flags.flagsOf(recipeDigest);
            Flags.Built built = recorded.built();
            if (built == null || !built.artifact().equals(artifact)) {
                return new Outcome.Refused("the store has no verified build of " + artifact + " from recipe " + recipeDigest);
            }
            Vouched vouched = vouchedFor(recorded, recipeDigest, artifact);
            if (vouched.signers().size() < requiredBuilders) {
                return new Outcome.Refused("only " + vouched.signers().size() + " of the " + requiredBuilders
                        + " builders this host requires signed provenance of " + artifact
                        + (vouched.doubt() == null ? "" : " (" + vouched.doubt() + ")"));
            }
            return installByChunks(artifact, vouched.provenance().chunkIndex());
        } catch (DigestMismatchException e) {
            return new Outcome.Refused("a blob of " + artifactName + " does not match its digest: " + e.getMessage());
        } catch (InvalidRecipeException e) {
            return new Outcome.Refused("recipe " + recipeName + " is invalid: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Outcome.Refused("the release names a malformed digest: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new Outcome.Unavailable("cannot read " + artifactName + " from the store: " + e.getMessage());
        }
    }
}
