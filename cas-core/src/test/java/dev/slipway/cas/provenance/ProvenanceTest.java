package dev.slipway.cas.provenance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.digest.Digest;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProvenanceTest {

    static final KeyPair BUILDER = BuilderKeys.generate();
    static final Provenance PROVENANCE = new Provenance(Digest.of("artifact".getBytes(UTF_8)),
            Digest.of("recipe".getBytes(UTF_8)), Map.of("src", Digest.of("src".getBytes(UTF_8))), "builder-1", true,
            "request-1", Instant.parse("2026-11-24T12:00:00Z"), Instant.parse("2026-11-24T12:00:03Z"),
            Digest.of("log".getBytes(UTF_8)), Digest.of("chunks".getBytes(UTF_8)));

    @Test
    void aSignedStatementVerifiesUnderTheBuildersKeyAndReadsBack() throws Exception {
        byte[] envelope = PROVENANCE.sign(BUILDER.getPrivate(), BUILDER.getPublic()).toJson();

        Provenance read = Provenance.verify(envelope, trusting(BUILDER));

        assertEquals(PROVENANCE, read);
    }

    @Test
    void provenanceFromABuilderThatStoredNoChunkIndexReadsBackWithoutOne() throws Exception {
        Provenance withoutChunks = new Provenance(PROVENANCE.artifact(), PROVENANCE.recipe(), PROVENANCE.inputs(),
                PROVENANCE.builder(), true, "request-2", PROVENANCE.started(), PROVENANCE.finished(),
                PROVENANCE.log(), null);
        byte[] envelope = withoutChunks.sign(BUILDER.getPrivate(), BUILDER.getPublic()).toJson();

        assertEquals(withoutChunks, Provenance.verify(envelope, trusting(BUILDER)));
    }

    @Test
    void aTamperedByteBreaksVerification() throws Exception {
        Dsse.Envelope signed = PROVENANCE.sign(BUILDER.getPrivate(), BUILDER.getPublic());
        byte[] payload = signed.payloadBytes();
        String json = new String(payload, UTF_8);
        byte[] tampered = json.replace("\"hermetic\":true", "\"hermetic\":fals").getBytes(UTF_8);
        tampered[tampered.length / 2] ^= 1;
        Dsse.Envelope forged = new Dsse.Envelope(signed.payloadType(), Base64.getEncoder().encodeToString(tampered),
                signed.signatures());

        UntrustedProvenanceException error = assertThrows(UntrustedProvenanceException.class,
                () -> Provenance.verify(forged.toJson(), trusting(BUILDER)));
        assertTrue(error.getMessage().contains("no signature verifies"), error.getMessage());
    }

    @Test
    void aSignatureByAnUntrustedKeyIsRefused() {
        KeyPair stranger = BuilderKeys.generate();
        byte[] envelope = PROVENANCE.sign(stranger.getPrivate(), stranger.getPublic()).toJson();

        UntrustedProvenanceException error = assertThrows(UntrustedProvenanceException.class,
                () -> Provenance.verify(envelope, trusting(BUILDER)));
        assertTrue(error.getMessage().contains(BuilderKeys.keyId(stranger.getPublic())), error.getMessage());
    }

    @Test
    void garbageIsNotAnEnvelope() {
        assertThrows(UntrustedProvenanceException.class,
                () -> Provenance.verify("{\"payload\":".getBytes(UTF_8), trusting(BUILDER)));
    }

    static Map<String, java.security.PublicKey> trusting(KeyPair keys) {
        return BuilderKeys.trusted(List.of(BuilderKeys.encode(keys.getPublic())));
    }
}
