package dev.slipway.release.provenance;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagReader;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import dev.slipway.release.api.Digests;
import dev.slipway.release.api.ProblemException;
import dev.slipway.release.readmodel.Artifact;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Every builder's result for an artifact's recipe, as the store's flags record them, each signature checked
 * here against the trusted builder keys, and whether the builders agreed.
 */
@Path("/api/artifacts/{digest}/builders")
@Produces(MediaType.APPLICATION_JSON)
public class BuildersResource {

    /**
     * @param agreement {@code agreed} (flagged), {@code rejected} (with {@code reason}) or {@code pending}
     */
    public record Builders(String artifact, String recipe, String agreement, String reason, List<Result> builders) {
    }

    /** One builder's claim: what it built, and whether its signature verifies under a trusted key. */
    public record Result(String builder, String key, String artifact, String provenance, Instant at,
            boolean sameBytes, boolean verifies, String problem) {
    }

    private final Mutiny.SessionFactory database;
    private final Optional<BlobStore> blobs;
    private final Optional<FlagReader> flags;
    private final Map<String, PublicKey> trusted;

    public BuildersResource(Mutiny.SessionFactory database, ProvenanceConfig config) {
        this.database = database;
        this.blobs = TheStore.blobs(config);
        this.flags = TheStore.flags(config);
        this.trusted = BuilderKeys.trusted(config.trustedBuilderKeys().orElse(List.of()));
    }

    @GET
    @Blocking
    @Operation(summary = "Every builder's result for the artifact's recipe (signatures checked) and the agreement state")
    public Builders builders(@PathParam("digest") String digest) throws Throwable {
        Digests.parse(digest, "digest");
        Artifact artifact = VertxContextSupport.subscribeAndAwait(
                () -> database.withSession(session -> session.find(Artifact.class, digest)));
        if (artifact == null) {
            throw new ProblemException(404, "no artifact " + digest + " is known");
        }
        if (blobs.isEmpty() || flags.isEmpty()) {
            throw new ProblemException(503, "the release service has no store to read builds from: set "
                    + "slipway.release.provenance.store-url (and store-token) or store-path");
        }
        Digest recipe = Digest.parse(artifact.recipe);
        Flags recorded;
        try {
            recorded = flags.get().flagsOf(recipe);
        } catch (IOException e) {
            throw new ProblemException(502, "cannot read the flags of " + recipe + " from the store: " + e.getMessage());
        }
        List<Result> results = new ArrayList<>();
        recorded.claims().forEach((key, claim) -> results.add(checked(key, claim, Digest.parse(digest))));
        // By builder, as people name them; the store keeps claims by key id.
        results.sort(Comparator.comparing(Result::builder));
        String agreement = recorded.rejected() != null ? "rejected"
                : recorded.built() != null && recorded.built().artifact().toString().equals(digest) ? "agreed"
                : "pending";
        return new Builders(digest, artifact.recipe, agreement,
                recorded.rejected() == null ? null : recorded.rejected().reason(), results);
    }

    private Result checked(String key, Flags.Claim claim, Digest artifact) {
        String problem = null;
        try (InputStream envelope = blobs.orElseThrow().open(claim.provenance())) {
            Provenance.Signed signed = Provenance.verifySigned(envelope.readAllBytes(), trusted);
            if (!signed.signers().contains(key) || !signed.provenance().artifact().equals(claim.artifact())) {
                problem = "the provenance is signed by " + signed.signers() + " about " + signed.provenance().artifact();
            }
        } catch (UntrustedProvenanceException e) {
            problem = e.getMessage();
        } catch (IOException e) {
            problem = "cannot read provenance " + claim.provenance() + ": " + e.getMessage();
        }
        return new Result(claim.builder(), key, claim.artifact().toString(), claim.provenance().toString(), claim.at(),
                claim.artifact().equals(artifact), problem == null, problem);
    }
}
