package dev.slipway.cas.provenance;

import dev.slipway.cas.digest.Digest;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ed25519 builder keys as configuration carries them: the private key as base64 PKCS#8, public keys as
 * base64 X.509 (SubjectPublicKeyInfo). A key's id is the digest of its public encoding, so an id cannot name
 * another key.
 */
public final class BuilderKeys {

    private BuilderKeys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    public static String keyId(PublicKey key) {
        return Digest.of(key.getEncoded()).toString();
    }

    public static String encode(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    public static String encode(PrivateKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    public static PublicKey publicKey(String base64) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(decode(base64)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key (base64 X.509 expected): " + e.getMessage());
        }
    }

    /** A base64 PKCS#8 Ed25519 private key. */
    public static PrivateKey privateKey(String base64) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(decode(base64)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key (base64 PKCS#8 expected): " + e.getMessage());
        }
    }

    /** Trusted keys by id, from their base64 encodings. */
    public static Map<String, PublicKey> trusted(List<String> publicKeys) {
        Map<String, PublicKey> byId = new LinkedHashMap<>();
        for (String encoded : publicKeys) {
            PublicKey key = publicKey(encoded);
            byId.put(keyId(key), key);
        }
        return Map.copyOf(byId);
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key is not base64: " + e.getMessage());
        }
    }
}
