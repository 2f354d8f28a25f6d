package dev.slipway.cas.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BearerTokensTest {

    enum Role { READER, WRITER, ADMIN }

    private final BearerTokens<Role> tokens = new BearerTokens<>(Map.of(
            "ci", new BearerTokens.Token<>("s3cret", Set.of(Role.READER, Role.WRITER)),
            "boss", new BearerTokens.Token<>("b0ss", Set.of(Role.ADMIN))),
            (has, needed) -> has == needed || has == Role.ADMIN, "test.tokens");

    @Test
    void aTokenWithTheRoleOrOneThatGrantsItIsLetThroughByName() {
        assertEquals(new BearerTokens.Decision("ci", 200, ""), tokens.decide("Bearer s3cret", Role.WRITER, "write"));
        assertEquals("boss", tokens.decide("Bearer b0ss ", Role.READER, "read").tokenName(), "ADMIN grants READER");
    }

    @Test
    void eachRefusalSaysWhatToFixWithTheRightStatus() {
        BearerTokens.Decision missing = tokens.decide(null, Role.READER, "GET blobs");
        BearerTokens.Decision basic = tokens.decide("Basic czNjcmV0", Role.READER, "GET blobs");
        BearerTokens.Decision unknown = tokens.decide("Bearer guess", Role.READER, "GET blobs");
        BearerTokens.Decision lacking = tokens.decide("Bearer s3cret", Role.ADMIN, "DELETE blobs");

        assertEquals(401, missing.status());
        assertTrue(missing.message().contains("the reader role to GET blobs"), missing.message());
        assertEquals(401, basic.status());
        assertEquals(401, unknown.status());
        assertTrue(unknown.message().contains("check test.tokens on the server"), unknown.message());
        assertEquals(403, lacking.status());
        assertTrue(lacking.message().startsWith("token 'ci' lacks the admin role needed to DELETE blobs"),
                lacking.message());
        assertFalse(lacking.message().contains("s3cret"), "a refusal never repeats a secret");
        assertFalse(lacking.granted());
    }

    @Test
    void withoutTokensEverythingIsRefused() {
        BearerTokens<Role> none = new BearerTokens<>(Map.of(), (has, needed) -> has == needed, "test.tokens");
        assertTrue(none.none());
        assertEquals(401, none.decide("Bearer s3cret", Role.READER, "read").status());
    }
}
