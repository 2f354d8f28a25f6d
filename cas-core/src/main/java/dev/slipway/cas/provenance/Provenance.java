package dev.slipway.cas.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * What a build says it did, as an in-toto Statement v1 with a SLSA provenance v1 predicate: the artifact as
 * subject; the recipe as external parameter; every input as a resolved dependency; builder id, times and
 * whether the build ran sandboxed; the build log and the artifact's {@link dev.slipway.cas.chunk.ChunkIndex} as
 * by-products.
 *
 * @param chunkIndex how the artifact is cut into chunks, for delta downloads; null when the builder stored none
 */
public record Provenance(Digest artifact, Digest recipe, Map<String, Digest> inputs, String builder,
        boolean hermetic, String invocation, Instant started, Instant finished, Digest log, Digest chunkIndex) {

    public static final String STATEMENT = "https://in-toto.io/Statement/v1";
    public static final String SLSA = "https://slsa.dev/provenance/v1";
    public static final String BUILD_TYPE = "https://slipway.dev/build/recipe/v1";
    private static final String CHUNK_INDEX = "chunk-index";
    private static final ObjectMapper JSON = new ObjectMapper();

    public Provenance {
        inputs = Map.copyOf(inputs);
    }

    public byte[] statement() {
        ObjectNode statement = JSON.createObjectNode().put("_type", STATEMENT);
        statement.putArray("subject").addObject().put("name", "artifact.tar")
                .putObject("digest").put("sha256", artifact.hex());
        statement.put("predicateType", SLSA);
        ObjectNode predicate = statement.putObject("predicate");
        ObjectNode definition = predicate.putObject("buildDefinition").put("buildType", BUILD_TYPE);
        definition.putObject("externalParameters").put("recipe", recipe.toString());
        definition.putObject("internalParameters").put("hermetic", hermetic);
        ArrayNode dependencies = definition.putArray("resolvedDependencies");
        dependency(dependencies, "recipe", recipe);
        new TreeMap<>(inputs).forEach((name, digest) -> dependency(dependencies, name, digest));
        ObjectNode run = predicate.putObject("runDetails");
        run.putObject("builder").put("id", builder);
        run.putObject("metadata").put("invocationId", invocation)
                .put("startedOn", started.toString()).put("finishedOn", finished.toString());
        ArrayNode byproducts = run.putArray("byproducts");
        dependency(byproducts, "log", log);
        if (chunkIndex != null) {
            dependency(byproducts, CHUNK_INDEX, chunkIndex);
        }
        try {
            return JSON.writeValueAsBytes(statement);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Dsse.Envelope sign(java.security.PrivateKey key, PublicKey publicKey) {
        return Dsse.sign(Dsse.IN_TOTO, statement(), BuilderKeys.keyId(publicKey), key);
    }

    /**
     * Verifies a signed envelope under the trusted keys and reads the statement back.
     *
     * @throws UntrustedProvenanceException when no trusted signature verifies or the statement is malformed
     */
    public static Provenance verify(byte[] envelopeJson, Map<String, PublicKey> trusted)
            throws UntrustedProvenanceException {
        return verifySigned(envelopeJson, trusted).provenance();
    }

    /** Verified provenance and the trusted keys (by id) that signed it. */
    public record Signed(Provenance provenance, SortedSet<String> signers) {
    }

    /** Like {@link #verify}, also saying which trusted keys signed: what agreement between builders counts. */
    public static Signed verifySigned(byte[] envelopeJson, Map<String, PublicKey> trusted)
            throws UntrustedProvenanceException {
        Dsse.Envelope envelope = Dsse.Envelope.parse(envelopeJson);
        if (!Dsse.IN_TOTO.equals(envelope.payloadType())) {
            throw new UntrustedProvenanceException("payload type " + envelope.payloadType() + " is not " + Dsse.IN_TOTO);
        }
        SortedSet<String> signers = Dsse.signers(envelope, trusted);
        try {
            return new Signed(parse(JSON.readTree(envelope.payloadBytes())), signers);
        } catch (IOException | RuntimeException e) {
            throw new UntrustedProvenanceException("the signed statement is not Slipway provenance: " + e.getMessage());
        }
    }

    private static Provenance parse(JsonNode statement) throws UntrustedProvenanceException {
        if (!STATEMENT.equals(statement.path("_type").asText()) || !SLSA.equals(statement.path("predicateType").asText())
                || !BUILD_TYPE.equals(statement.at("/predicate/buildDefinition/buildType").asText())) {
            throw new UntrustedProvenanceException("not an in-toto SLSA v1 statement of a Slipway build");
        }
        Map<String, Digest> inputs = new TreeMap<>();
        for (JsonNode dependency : statement.at("/predicate/buildDefinition/resolvedDependencies")) {
            if (!dependency.path("name").asText().equals("recipe")) {
                inputs.put(dependency.path("name").asText(), sha256(dependency));
            }
        }
        Digest log = null;
        Digest chunkIndex = null;
        for (JsonNode byproduct : statement.at("/predicate/runDetails/byproducts")) {
            switch (byproduct.path("name").asText()) {
                case "log" -> log = sha256(byproduct);
                case CHUNK_INDEX -> chunkIndex = sha256(byproduct);
                default -> {
                    // a by-product this version does not use
                }
            }
        }
        if (log == null) {
            throw new UntrustedProvenanceException("the statement names no build log");
        }
        JsonNode metadata = statement.at("/predicate/runDetails/metadata");
        return new Provenance(sha256(statement.at("/subject/0")),
                Digest.parse(statement.at("/predicate/buildDefinition/externalParameters/recipe").asText()),
                inputs, statement.at("/predicate/runDetails/builder/id").asText(),
                statement.at("/predicate/buildDefinition/internalParameters/hermetic").asBoolean(),
                metadata.path("invocationId").asText(), Instant.parse(metadata.path("startedOn").asText()),
                Instant.parse(metadata.path("finishedOn").asText()), log, chunkIndex);
    }

    private static void dependency(ArrayNode list, String name, Digest digest) {
        list.addObject().put("name", name).putObject("digest").put("sha256", digest.hex());
    }

    private static Digest sha256(JsonNode descriptor) {
        return new Digest(descriptor.path("digest").path("sha256").asText());
    }
}
