package dev.slipway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.cas.digest.Digest;
import dev.slipway.events.recipe.Recipe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code slipway.lock}: the name of every pinned input of the recipes beside it (third-party dependencies,
 * toolchains) with the digest it must have and where it came from. Written by {@code slipway import} and
 * {@code slipway toolchain import --lock}, read by {@code slipway build}, reviewed in pull requests like any
 * lock file: one input per key, keys sorted, so a change of pin is a one-line diff.
 */
final class Lock {

    static final String FILE_NAME = "slipway.lock";
    private static final int VERSION = 1;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Set<String> ENTRY_FIELDS = Set.of("digest", "kind", "source");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** One pinned input: what it must hash to, how it is mounted, and where it was taken from (for people). */
    record Entry(Digest digest, Recipe.Kind kind, String source) {
    }

    private final Path file;
    private final Map<String, Entry> entries;

    private Lock(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = new TreeMap<>(entries);
    }

    /** The lock at {@code file}; an empty one when there is none yet. */
    static Lock read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException absent) {
            return new Lock(file, Map.of());
        } catch (IOException e) {
            throw new CliFailure(Exit.USAGE, "cannot read the lock " + file + ": " + e.getMessage(), e);
        }
        return new Lock(file, parse(file, bytes));
    }

    static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    Path file() {
        return file;
    }

    Optional<Entry> entry(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    Set<String> names() {
        return entries.keySet();
    }

    /** Pins {@code name} and writes the lock at once (whole, through a rename: never half a lock). */
    void put(String name, Entry entry) {
        if (!validName(name)) {
            throw new CliFailure(Exit.USAGE, "'" + name + "' cannot name an input: letters, digits, '.', '_', '-'");
        }
        entries.put(name, entry);
        ObjectNode root = JSON.createObjectNode();
        root.put("slipwayLock", VERSION);
        ObjectNode inputs = root.putObject("inputs");
        entries.forEach((key, value) -> inputs.putObject(key)
                .put("digest", value.digest().toString())
                .put("kind", value.kind() == Recipe.Kind.FILE ? "file" : "tree")
                .put("source", value.source()));
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, ".slipway.lock", ".tmp");
            Files.write(temp, (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CliFailure(Exit.FAILED, "cannot write the lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Entry> parse(Path file, byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw malformed(file, "it is not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw malformed(file, e.getMessage());
        }
        if (root == null || !root.isObject() || root.path("slipwayLock").asInt() != VERSION
                || !root.path("inputs").isObject() || root.size() != 2) {
            throw malformed(file, "it must be {\"slipwayLock\": 1, \"inputs\": {NAME: {...}}}");
        }
        Map<String, Entry> entries = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("inputs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            entries.put(field.getKey(), entry(file, field.getKey(), field.getValue()));
        }
        return entries;
    }

    private static Entry entry(Path file, String name, JsonNode node) {
        if (!validName(name)) {
            throw malformed(file, "'" + name + "' cannot name an input");
        }
        Set<String> fields = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(fields::add);
        String digest = node.path("digest").asText("");
        String kind = node.path("kind").asText("");
        if (!node.isObject() || !ENTRY_FIELDS.equals(fields) || !DIGEST.matcher(digest).matches()
                || !(kind.equals("file") || kind.equals("tree")) || !node.get("source").isTextual()) {
            throw malformed(file, "input '" + name + "' must be {\"digest\": \"sha256:<64 hex>\", \"kind\": "
                    + "\"file\" or \"tree\", \"source\": \"...\"}");
        }
        return new Entry(Digest.parse(digest), kind.equals("file") ? Recipe.Kind.FILE : Recipe.Kind.TREE,
                node.get("source").asText());
    }

    private static CliFailure malformed(Path file, String why) {
        return new CliFailure(Exit.REFUSED, "the lock " + file + " is not valid: " + why
                + "; rewrite it with `slipway import` or `slipway toolchain import --lock`");
    }
}
