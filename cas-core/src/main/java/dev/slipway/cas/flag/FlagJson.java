package dev.slipway.cas.flag;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The stored form of {@link Flags}: JSON, and a version that is the SHA-256 of those bytes. */
public final class FlagJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private FlagJson() {
    }

    public static byte[] write(Flags flags) throws IOException {
        return MAPPER.writeValueAsBytes(flags);
    }

    public static Flags read(Digest recipe, byte[] json) throws IOException {
        Flags flags = MAPPER.readValue(json, Flags.class);
        if (!recipe.equals(flags.recipe())) {
            throw new IOException("flag document of " + recipe + " names " + flags.recipe() + ": the store is damaged");
        }
        return flags;
    }

    static String versionOf(byte[] json) {
        MessageDigest sha256 = Digest.sha256();
        return HexFormat.of().formatHex(sha256.digest(json));
    }
}
