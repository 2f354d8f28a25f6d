package dev.slipway.cas.release;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Dsse;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Map;

/**
 * A {@link ChannelState} in a DSSE envelope signed with the store's release key (Ed25519, never a builder's key):
 * the same form as provenance, under its own payload type, so a signed build can never pass for a release.
 */
public final class SignedChannelState {

    public static final String PAYLOAD_TYPE = "application/vnd.slipway.channel-state.v1+json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private SignedChannelState() {
    }

    /** The envelope's JSON. */
    public static byte[] sign(ChannelState state, KeyPair releaseKey) {
        try {
            return Dsse.sign(PAYLOAD_TYPE, JSON.writeValueAsBytes(state), BuilderKeys.keyId(releaseKey.getPublic()),
                    releaseKey.getPrivate()).toJson();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The state, when a signature by one of {@code releaseKeys} (by key id) verifies.
     *
     * @throws UntrustedProvenanceException saying why not
     */
    public static ChannelState verify(byte[] envelopeJson, Map<String, PublicKey> releaseKeys)
            throws UntrustedProvenanceException {
        Dsse.Envelope envelope = Dsse.Envelope.parse(envelopeJson);
        if (!PAYLOAD_TYPE.equals(envelope.payloadType())) {
            throw new UntrustedProvenanceException("payload type " + envelope.payloadType() + " is not " + PAYLOAD_TYPE);
        }
        byte[] payload = Dsse.verify(envelope, releaseKeys);
        try {
            ChannelState state = JSON.readValue(payload, ChannelState.class);
            if (state.deploymentSet() == null || state.expires() == null) {
                throw new IOException("no deploymentSet or expires");
            }
            return state;
        } catch (IOException | RuntimeException e) {
            throw new UntrustedProvenanceException("the signed payload is not a channel state: " + e.getMessage());
        }
    }
}
