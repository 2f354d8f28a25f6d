package dev.slipway.events.recipe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeJsonTest {

    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final String RECIPE = """
            {"deploymentSet": "payments-api",
             "inputs": {"src": {"mount": "/src", "digest": "%s"}},
             "steps": [{"name": "build", "argv": ["/bin/sh", "-c", "cp -r /src out"], "env": {"LANG": "C"},
                        "timeout": "PT1M"}],
             "outputs": ["out"],
             "rollout": {"maxUnavailable": 1, "failureTolerance": 0, "slotDeadline": "PT5M", "drainTimeout": "PT30S",
                         "canaryHosts": ["host-1"],
                         "health": {"url": "http://127.0.0.1:8080/health", "timeout": "PT2S", "retries": 3,
                                    "deadline": "PT1M"}}}
            """.formatted(DIGEST);

    @Test
    void keyOrderAndWhitespaceDoNotChangeTheCanonicalBytes() throws Exception {
        String reordered = """
                {"rollout": {"health": {"deadline": "PT1M", "retries": 3, "timeout": "PT2S",
                 "url": "http://127.0.0.1:8080/health"}, "canaryHosts": ["host-1"], "drainTimeout": "PT30S",
                 "slotDeadline": "PT5M", "failureTolerance": 0, "maxUnavailable": 1},
                 "outputs": ["out"], "steps": [{"timeout": "PT1M", "env": {"LANG": "C"},
                 "argv": ["/bin/sh", "-c", "cp -r /src out"], "name": "build"}],
                 "inputs": {"src": {"digest": "%s", "mount": "/src"}}, "deploymentSet": "payments-api"}
                """.formatted(DIGEST);

        byte[] canonical = RecipeJson.canonical(RECIPE.getBytes(UTF_8));

        assertArrayEquals(canonical, RecipeJson.canonical(reordered.getBytes(UTF_8)));
        assertTrue(new String(canonical, UTF_8).startsWith("{\"deploymentSet\":\"payments-api\",\"inputs\":"));
    }

    @Test
    void readsACanonicalRecipe() throws Exception {
        Recipe recipe = RecipeJson.read(RecipeJson.canonical(RECIPE.getBytes(UTF_8)));

        assertEquals("payments-api", recipe.deploymentSet());
        assertEquals(new Recipe.Input(DIGEST, "/src"), recipe.inputs().get("src"));
        assertEquals(Duration.ofMinutes(1), recipe.steps().get(0).timeout());
        assertEquals(List.of("host-1"), recipe.rollout().canaryHosts());
        assertEquals(3, recipe.rollout().health().retries());
    }

    @Test
    void refusesARecipeStoredOutOfCanonicalForm() {
        InvalidRecipeException error = assertThrows(InvalidRecipeException.class,
                () -> RecipeJson.read(RECIPE.getBytes(UTF_8)));

        assertTrue(error.getMessage().contains("not in canonical form"), error.getMessage());
    }

    @Test
    void namesEveryProblemOfAnInvalidRecipe() {
        String broken = RECIPE.replace(DIGEST, "sha256:nothex").replace("\"outputs\": [\"out\"],", "");

        InvalidRecipeException error = assertThrows(InvalidRecipeException.class,
                () -> RecipeJson.canonical(broken.getBytes(UTF_8)));

        assertEquals(2, error.problems().size(), error.getMessage());
        assertTrue(error.getMessage().contains("outputs"), error.getMessage());
        assertTrue(error.getMessage().contains("digest"), error.getMessage());
    }

    @Test
    void refusesAMountOverWhatTheSandboxOwnsBeforeItIsStored() {
        byte[] overWork = RECIPE.replace("\"/src\"", "\"/work/src\"").getBytes(UTF_8);

        InvalidRecipeException error = assertThrows(InvalidRecipeException.class, () -> RecipeJson.canonical(overWork));

        assertTrue(error.getMessage().contains("input 'src' mounts at /work/src"), error.getMessage());
    }

    @Test
    void readsDeploymentWindowsAndRefusesOneThatIsNotBeforeItIsStored() throws Exception {
        String windowed = RECIPE.replace("\"canaryHosts\"", "\"windows\": [\"Mon-Fri 09:00-17:00 Europe/Berlin\"], "
                + "\"canaryHosts\"");
        assertEquals(List.of("Mon-Fri 09:00-17:00 Europe/Berlin"),
                RecipeJson.read(RecipeJson.canonical(windowed.getBytes(UTF_8))).rollout().policy().windows());

        byte[] wrong = windowed.replace("Europe/Berlin", "Europe/Atlantis").getBytes(UTF_8);
        InvalidRecipeException error = assertThrows(InvalidRecipeException.class, () -> RecipeJson.canonical(wrong));

        assertTrue(error.getMessage().contains("rollout.windows: deployment window 'Mon-Fri 09:00-17:00 Europe/Atlantis'"),
                error.getMessage());
    }

    @Test
    void readsTheSetsARecipeFollowsAndRefusesEntriesThatCannotBeMet() throws Exception {
        String ordered = RECIPE.replace("\"canaryHosts\"", "\"release\": \"2026.12\", \"after\": [\"db-schema\", "
                + "\"auth@" + DIGEST + "\"], \"canaryHosts\"");
        Recipe.Rollout rollout = RecipeJson.read(RecipeJson.canonical(ordered.getBytes(UTF_8))).rollout();
        assertEquals(List.of("db-schema", "auth@" + DIGEST), rollout.policy().after());
        assertEquals("2026.12", rollout.policy().release());

        for (String[] wrong : new String[][] {
                {"\"release\": \"2026.12\", \"after\": [\"payments-api\"]", "names this recipe's own set"},
                {"\"after\": [\"db-schema\"]", "name the release with rollout.release"},
                {"\"release\": \"r\", \"after\": [\"db schema\"]", "is not a set name"},
                {"\"release\": \"r\", \"after\": [\"db@sha256:abc\"]", "is not a set name"}}) {
            byte[] recipe = RECIPE.replace("\"canaryHosts\"", wrong[0] + ", \"canaryHosts\"").getBytes(UTF_8);
            InvalidRecipeException error = assertThrows(InvalidRecipeException.class, () -> RecipeJson.canonical(recipe));
            assertTrue(error.getMessage().contains(wrong[1]), error.getMessage());
        }
    }

    @Test
    void refusesOutputsThatNameWorkItselfOrLeaveIt() {
        for (String output : List.of("..", "../etc", "out/../../x", ".", "./out")) {
            byte[] recipe = RECIPE.replace("\"outputs\": [\"out\"]", "\"outputs\": [\"" + output + "\"]")
                    .getBytes(UTF_8);

            InvalidRecipeException error = assertThrows(InvalidRecipeException.class,
                    () -> RecipeJson.canonical(recipe), output);

            assertTrue(error.getMessage().contains("output '" + output + "'"), error.getMessage());
        }
    }

    @Test
    void aFileInputKeepsItsKindAndATreeIsTheDefault() throws Exception {
        byte[] withJar = RECIPE.replace("\"inputs\": {", "\"inputs\": {\"gson\": {\"digest\": \"%s\", "
                .formatted(DIGEST) + "\"mount\": \"/deps/gson.jar\", \"kind\": \"file\"}, ").getBytes(UTF_8);

        Recipe recipe = RecipeJson.read(RecipeJson.canonical(withJar));

        assertEquals(Recipe.Kind.FILE, recipe.inputs().get("gson").kind());
        assertEquals(Recipe.Kind.TREE, recipe.inputs().get("src").kind());
    }

    @Test
    void refusesTwoInputsAtOnePlaceAndAnInputInsideAFile() {
        byte[] twice = RECIPE.replace("\"inputs\": {", "\"inputs\": {\"again\": {\"digest\": \"%s\", "
                .formatted(DIGEST) + "\"mount\": \"/src\"}, ").getBytes(UTF_8);
        byte[] inside = RECIPE.replace("\"inputs\": {", "\"inputs\": {\"jar\": {\"digest\": \"%s\", "
                .formatted(DIGEST) + "\"mount\": \"/src/lib\"}, \"lib\": {\"digest\": \"%s\", ".formatted(DIGEST)
                + "\"mount\": \"/src/lib/x\"}, ").replace("\"/src/lib\"}", "\"/src/lib\", \"kind\": \"file\"}")
                .getBytes(UTF_8);

        InvalidRecipeException atOnePlace = assertThrows(InvalidRecipeException.class, () -> RecipeJson.canonical(twice));
        InvalidRecipeException inFile = assertThrows(InvalidRecipeException.class, () -> RecipeJson.canonical(inside));

        assertTrue(atOnePlace.getMessage().contains("inputs 'again' and 'src' both mount at /src"),
                atOnePlace.getMessage());
        assertTrue(inFile.getMessage().contains("input 'lib' mounts at /src/lib/x, inside the file input 'jar'"),
                inFile.getMessage());
    }
}
