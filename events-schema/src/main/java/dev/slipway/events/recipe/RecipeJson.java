package dev.slipway.events.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.slipway.events.wire.EventJson;
import dev.slipway.events.rollout.DeploymentWindows;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.Set;

/**
 * A recipe's one true byte form: the document validated against its schema, then written with every object's
 * keys sorted and no whitespace. Two recipes that differ only in key order or spacing have the same bytes,
 * hence the same digest; a builder refuses a stored recipe that is not in this form.
 */
public final class RecipeJson {

    /** Mount points the sandbox owns. */
    private static final Set<String> RESERVED = Set.of("/work", "/proc", "/dev", "/tmp");

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    private static final JsonSchema SCHEMA = load();

    private RecipeJson() {
    }

    /** Parses, validates (schema, mounts, outputs) and rewrites {@code json} canonically. */
    public static byte[] canonical(byte[] json) throws InvalidRecipeException {
        JsonNode tree = validTree(json);
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(CANONICAL.treeToValue(tree, Object.class));
            Recipe recipe = EventJson.mapper().readValue(canonical, Recipe.class);
            checkMounts(recipe);
            checkOutputs(recipe);
            checkWindows(recipe);
            checkOrdering(recipe);
            return canonical;
        } catch (IOException e) {
            throw new InvalidRecipeException(List.of(e.getMessage()));
        }
    }

    /** Reads a stored recipe, which must already be canonical. */
    public static Recipe read(byte[] stored) throws InvalidRecipeException {
        if (!Arrays.equals(stored, canonical(stored))) {
            throw new InvalidRecipeException(List.of("the stored recipe is not in canonical form (sorted keys, no "
                    + "whitespace); store it with `slipway build`, which writes it canonically"));
        }
        try {
            return EventJson.mapper().readValue(stored, Recipe.class);
        } catch (IOException e) {
            throw new InvalidRecipeException(List.of(e.getMessage()));
        }
    }

    private static void checkWindows(Recipe recipe) throws InvalidRecipeException {
        if (recipe.rollout() == null) {
            return;
        }
        try {
            DeploymentWindows.of(recipe.rollout().windows());
        } catch (IllegalArgumentException e) {
            throw new InvalidRecipeException(List.of("rollout.windows: " + e.getMessage()));
        }
    }

    private static final Pattern AFTER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@sha256:[0-9a-f]{64})?");

    private static void checkOrdering(Recipe recipe) throws InvalidRecipeException {
        if (recipe.rollout() == null) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (String after : recipe.rollout().after()) {
            String set = after.split("@", 2)[0];
            if (!AFTER.matcher(after).matches()) {
                problems.add("rollout.after: '" + after + "' is not a set name, or a set name and a recipe digest "
                        + "('db-schema' or 'db-schema@sha256:<64 hex digits>')");
            } else if (set.equals(recipe.deploymentSet())) {
                problems.add("rollout.after: '" + after + "' names this recipe's own set, which cannot go before itself");
            } else if (!after.contains("@") && recipe.rollout().release() == null) {
                problems.add("rollout.after: '" + after + "' waits for that set's rollout of the same release: name "
                        + "the release with rollout.release, or a recipe with '" + after + "@sha256:…'");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRecipeException(problems);
        }
    }

    private static void checkMounts(Recipe recipe) throws InvalidRecipeException {
        List<String> problems = recipe.inputs().entrySet().stream()
                .filter(input -> {
                    String mount = input.getValue().mount();
                    return Arrays.asList(mount.split("/")).contains("..") || mount.equals("/")
                            || RESERVED.stream().anyMatch(r -> mount.equals(r) || mount.startsWith(r + "/"));
                })
                .map(input -> "input '" + input.getKey() + "' mounts at " + input.getValue().mount()
                        + ", which the sandbox owns (" + RESERVED + ") or which leaves the root")
                .collect(Collectors.toCollection(ArrayList::new));
        problems.addAll(overlaps(recipe.inputs()));
        if (!problems.isEmpty()) {
            throw new InvalidRecipeException(problems.stream().sorted().toList());
        }
    }

    /** Two inputs at one place hide one another, and nothing can be mounted inside a file. */
    private static List<String> overlaps(Map<String, Recipe.Input> inputs) {
        List<String> problems = new ArrayList<>();
        new TreeMap<>(inputs).forEach((name, input) -> new TreeMap<>(inputs).forEach((other, mounted) -> {
            if (name.compareTo(other) < 0 && input.mount().equals(mounted.mount())) {
                problems.add("inputs '" + name + "' and '" + other + "' both mount at " + input.mount());
            }
            if (mounted.kind() == Recipe.Kind.FILE && input.mount().startsWith(mounted.mount() + "/")) {
                problems.add("input '" + name + "' mounts at " + input.mount() + ", inside the file input '"
                        + other + "'");
            }
        }));
        return problems;
    }

    /** Outputs are paths under /work: a '.' or '..' component would name /work itself or leave it. */
    private static void checkOutputs(Recipe recipe) throws InvalidRecipeException {
        List<String> problems = recipe.outputs().stream()
                .filter(output -> Arrays.stream(output.split("/")).anyMatch(part -> part.equals("..") || part.equals(".")))
                .map(output -> "output '" + output + "' has a '.' or '..' component; name a path under /work")
                .sorted()
                .toList();
        if (!problems.isEmpty()) {
            throw new InvalidRecipeException(problems);
        }
    }

    private static JsonNode validTree(byte[] json) throws InvalidRecipeException {
        JsonNode tree;
        try {
            tree = EventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new InvalidRecipeException(List.of("not JSON: " + e.getMessage()));
        }
        List<String> violations = SCHEMA.validate(tree).stream().map(ValidationMessage::getMessage).sorted().toList();
        if (!violations.isEmpty()) {
            throw new InvalidRecipeException(violations);
        }
        return tree;
    }

    private static JsonSchema load() {
        String resource = "/dev/slipway/events/schema/recipe.v1.schema.json";
        try (InputStream in = RecipeJson.class.getResourceAsStream(resource)) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
