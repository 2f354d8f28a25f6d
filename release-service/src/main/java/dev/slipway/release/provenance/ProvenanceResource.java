package dev.slipway.release.provenance;

import dev.slipway.cas.blob.BlobNotFoundException;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import dev.slipway.release.api.Digests;
import dev.slipway.release.api.ProblemException;
import dev.slipway.release.readmodel.Artifact;
import io.smallrye.common.annotation.Blocking;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.hibernate.reactive.mutiny.Mutiny;

/** An artifact's signed provenance, opened from the store and checked against the trusted builder keys. */
@Path("/api/artifacts/{digest}/provenance")
@Produces(MediaType.APPLICATION_JSON)
public class ProvenanceResource {

    /** What the build says it did, and whether a trusted builder's signature says so. */
    public record Statement(String artifact, String provenance, boolean verified, String recipe,
            Map<String, String> inputs, String builder, boolean hermetic, Instant started, Instant finished,
            String log) {
    }

    private final Mutiny.SessionFactory database;
    private final Optional<BlobStore> store;
    private final Map<String, PublicKey> trusted;

    public ProvenanceResource(Mutiny.SessionFactory database, ProvenanceConfig config) {
        this.database = database;
        this.store = TheStore.blobs(config);
        this.trusted = BuilderKeys.trusted(config.trustedBuilderKeys().orElse(List.of()));
    }

    @GET
    @Blocking
    @Operation(summary = "The artifact's provenance statement, its signature checked against the trusted builder keys")
    public Statement provenance(@PathParam("digest") String digest) throws Throwable {
        Digests.parse(digest, "digest");
        Artifact artifact = VertxContextSupport.subscribeAndAwait(
                () -> database.withSession(session -> session.find(Artifact.class, digest)));
        if (artifact == null || artifact.provenance == null) {
            throw new ProblemException(404, "no provenance is known for " + digest);
        }
        BlobStore blobs = store.orElseThrow(() -> new ProblemException(503, "the release service has no store to "
                + "read provenance from: set slipway.release.provenance.store-url (and store-token) or store-path"));
        byte[] envelope;
        try (InputStream in = blobs.open(Digest.parse(artifact.provenance))) {
            envelope = in.readAllBytes();
        } catch (BlobNotFoundException e) {
            throw new ProblemException(404, "the store has no provenance " + artifact.provenance);
        } catch (IOException e) {
            throw new ProblemException(502, "cannot read provenance " + artifact.provenance + " from the store: "
                    + e.getMessage());
        }
        Provenance statement;
        try {
            statement = Provenance.verify(envelope, trusted);
        } catch (UntrustedProvenanceException e) {
            throw new ProblemException(422, "the provenance of " + digest + " does not verify: " + e.getMessage());
        }
        if (!statement.artifact().toString().equals(digest)) {
            throw new ProblemException(422, "the provenance " + artifact.provenance + " is about "
                    + statement.artifact() + ", not " + digest);
        }
        Map<String, String> inputs = new TreeMap<>();
        statement.inputs().forEach((name, input) -> inputs.put(name, input.toString()));
        return new Statement(digest, artifact.provenance, true, statement.recipe().toString(), inputs,
                statement.builder(), statement.hermetic(), statement.started(), statement.finished(),
                statement.log() == null ? null : statement.log().toString());
    }
}
