package dev.slipway.cas.digest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DigestTest {

    private static final String EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void digestOfBytesIsTheirSha256() {
        assertEquals(EMPTY, Digest.of(new byte[0]).toString());
        assertEquals("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                Digest.of("hello".getBytes(UTF_8)).toString());
    }

    @Test
    void parsesItsOwnText() {
        assertEquals(Digest.of(new byte[0]), Digest.parse(EMPTY));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {
        "",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ",
        "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:../../../etc/passwd00000000000000000000000000000000000000000000"})
    void rejectsAnythingButStrictSha256Text(String text) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Digest.parse(text));
        assertTrue(error.getMessage().contains("expected"), error.getMessage());
    }
}
