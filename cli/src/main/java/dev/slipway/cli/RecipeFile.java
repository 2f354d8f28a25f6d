package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.recipe.InvalidRecipeException;
import dev.slipway.events.recipe.Recipe;
import dev.slipway.events.recipe.RecipeJson;
import dev.slipway.events.wire.EventJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * A recipe as a team writes it, beside its sources and lock, turned into the recipe the store keeps, which names
 * every input by digest. An input may instead name {@code "lock": NAME} (its digest and kind come from the lock)
 * or {@code "path": DIR} (a directory relative to the recipe, pushed now, as {@code slipway push} would).
 */
final class RecipeFile {

    private RecipeFile() {
    }

    static byte[] canonical(Context context, Path recipeFile, Path lockFile) {
        byte[] written;
        try {
            written = Files.readAllBytes(recipeFile);
        } catch (IOException e) {
            throw new CliFailure(Exit.USAGE, "cannot read " + recipeFile + ": " + e.getMessage());
        }
        try {
            return RecipeJson.canonical(resolved(context, recipeFile, lockFile, written));
        } catch (InvalidRecipeException e) {
            throw new CliFailure(Exit.REFUSED, recipeFile + " is not a valid recipe: " + e.getMessage());
        }
    }

    /** The recipe with every lock and path reference replaced by a digest; what is not JSON is left to the schema. */
    private static byte[] resolved(Context context, Path recipeFile, Path lockFile, byte[] written) {
        JsonNode root;
        try {
            root = EventJson.mapper().readTree(written);
        } catch (IOException notJson) {
            return written;
        }
        if (root == null || !root.path("inputs").isObject()) {
            return written;
        }
        Lock lock = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("inputs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> input = it.next();
            if (!(input.getValue() instanceof ObjectNode fields)) {
                continue;
            }
            String what = "input '" + input.getKey() + "'";
            int references = (fields.has("lock") ? 1 : 0) + (fields.has("path") ? 1 : 0) + (fields.has("digest") ? 1 : 0);
            if (references > 1) {
                throw new CliFailure(Exit.REFUSED, recipeFile + ": " + what + " gives more than one of digest, lock "
                        + "and path; give one");
            }
            if (fields.has("lock")) {
                lock = lock != null ? lock : Lock.read(lockFile);
                String name = fields.remove("lock").asText();
                Lock pins = lock;
                Lock.Entry entry = pins.entry(name).orElseThrow(() -> new CliFailure(Exit.REFUSED, recipeFile + ": "
                        + what + " names '" + name + "', which " + lockFile + " does not pin (it pins "
                        + (pins.names().isEmpty() ? "nothing" : String.join(", ", pins.names()))
                        + "); pin it with `slipway import` or `slipway toolchain import --lock`"));
                fields.put("digest", entry.digest().toString());
                if (entry.kind() == Recipe.Kind.FILE) {
                    fields.put("kind", "file");
                }
            } else if (fields.has("path")) {
                Path directory = recipeFile.toAbsolutePath().getParent().resolve(fields.remove("path").asText());
                fields.put("digest", Trees.push(context, directory).digest());
            }
        }
        try {
            return EventJson.mapper().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
