package dev.slipway.cas.provenance;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * DSSE envelopes (the in-toto signing format) with Ed25519: the signature covers the pre-authentication
 * encoding {@code "DSSEv1" SP len(type) SP type SP len(payload) SP payload}, so neither the payload nor its
 * type can be swapped under a valid signature.
 */
public final class Dsse {

    public static final String IN_TOTO = "application/vnd.in-toto+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Dsse() {
    }

    /** One signature; {@code keyid} is the signer's {@link BuilderKeys#keyId}. */
    public record Sig(String keyid, String sig) {
    }

    public record Envelope(String payloadType, String payload, List<Sig> signatures) {

        public byte[] payloadBytes() {
            return Base64.getDecoder().decode(payload);
        }

        public byte[] toJson() {
            try {
                return JSON.writeValueAsBytes(Map.of("payloadType", payloadType, "payload", payload,
                        "signatures", signatures.stream().map(s -> Map.of("keyid", s.keyid(), "sig", s.sig())).toList()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The first signature, base64, as events carry it. */
        public String signature() {
            return signatures.get(0).sig();
        }

        /** An envelope with every field present: a field missing is a refusal, never a NullPointerException later. */
        public static Envelope parse(byte[] json) throws UntrustedProvenanceException {
            Envelope envelope;
            try {
                envelope = JSON.readValue(json, Envelope.class);
            } catch (IOException e) {
                throw new UntrustedProvenanceException("not a DSSE envelope: " + e.getMessage());
            }
            if (envelope == null || envelope.payloadType() == null || envelope.payload() == null
                    || envelope.signatures() == null) {
                throw new UntrustedProvenanceException("not a DSSE envelope: payloadType, payload and signatures are "
                        + "required");
            }
            for (Sig sig : envelope.signatures()) {
                if (sig == null || sig.keyid() == null || sig.sig() == null) {
                    throw new UntrustedProvenanceException("not a DSSE envelope: every signature needs keyid and sig");
                }
            }
            return envelope;
        }
    }

    public static Envelope sign(String payloadType, byte[] payload, String keyId, PrivateKey key) {
        try {
            Signature ed25519 = Signature.getInstance("Ed25519");
            ed25519.initSign(key);
            ed25519.update(pae(payloadType, payload));
            return new Envelope(payloadType, Base64.getEncoder().encodeToString(payload),
                    List.of(new Sig(keyId, Base64.getEncoder().encodeToString(ed25519.sign()))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the builder key: " + e.getMessage(), e);
        }
    }

    /**
     * The payload, when one signature verifies under a trusted key of the same key id.
     *
     * @throws UntrustedProvenanceException naming the key ids seen when none verifies
     */
    public static byte[] verify(Envelope envelope, Map<String, PublicKey> trusted) throws UntrustedProvenanceException {
        signers(envelope, trusted);
        return envelope.payloadBytes();
    }

    /**
     * The ids of the trusted keys whose signatures of the envelope verify, at least one.
     *
     * @throws UntrustedProvenanceException when none does
     */
    public static SortedSet<String> signers(Envelope envelope, Map<String, PublicKey> trusted)
            throws UntrustedProvenanceException {
        byte[] payload;
        try {
            payload = envelope.payloadBytes();
        } catch (IllegalArgumentException e) {
            throw new UntrustedProvenanceException("the envelope's payload is not base64");
        }
        SortedSet<String> signers = new TreeSet<>();
        for (Sig sig : envelope.signatures()) {
            PublicKey key = trusted.get(sig.keyid());
            if (key != null && verifies(key, pae(envelope.payloadType(), payload), sig.sig())) {
                signers.add(sig.keyid());
            }
        }
        if (!signers.isEmpty()) {
            return signers;
        }
        throw new UntrustedProvenanceException("no signature verifies under a trusted key (signed by "
                + envelope.signatures().stream().map(Sig::keyid).toList() + ", trusted " + trusted.keySet() + ")");
    }

    private static boolean verifies(PublicKey key, byte[] message, String signature) {
        try {
            Signature ed25519 = Signature.getInstance("Ed25519");
            ed25519.initVerify(key);
            ed25519.update(message);
            return ed25519.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    static byte[] pae(String type, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] typeBytes = type.getBytes(UTF_8);
        out.writeBytes(("DSSEv1 " + typeBytes.length + " ").getBytes(UTF_8));
        out.writeBytes(typeBytes);
        out.writeBytes((" " + payload.length + " ").getBytes(UTF_8));
        out.writeBytes(payload);
        return out.toByteArray();
    }
}
