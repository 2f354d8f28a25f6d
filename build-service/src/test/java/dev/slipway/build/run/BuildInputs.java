package dev.slipway.build.run;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.slipway.cas.archive.ReproducibleTar;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.events.recipe.RecipeJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Real inputs for real builds: Debian's static busybox as a toolchain, source trees, recipes, all in a store. */
public final class BuildInputs {

    public static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "cat", "cp", "mkdir", "env", "nc", "sleep", "echo", "ls",
            "touch", "date", "sha256sum");

    private final BlobStore store;
    private final Path scratch;

    public BuildInputs(BlobStore store, Path scratch) {
        this.store = store;
        this.scratch = scratch;
    }

    /** busybox with a symlink per applet under {@code bin/}, imported as a toolchain would be. */
    public Digest busybox() throws IOException {
        Path tree = Files.createTempDirectory(scratch, "busybox");
        Path bin = Files.createDirectories(tree.resolve("bin"));
        Files.copy(BUSYBOX, bin.resolve("busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        return packAndStore(tree);
    }

    /** A source tree of the given files. */
    public Digest tree(Map<String, String> files) throws IOException {
        Path tree = Files.createTempDirectory(scratch, "src");
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = tree.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return packAndStore(tree);
    }

    public Digest store(byte[] bytes) throws IOException {
        Digest digest = Digest.of(bytes);
        store.write(digest, new ByteArrayInputStream(bytes));
        return digest;
    }

    /**
     * A recipe with the busybox toolchain at {@code /toolchain} and {@code src} at {@code /src}, one shell step
     * per script, output {@code out}.
     */
    public Digest recipe(Digest toolchain, Digest src, String timeout, String... scripts) throws Exception {
        return recipe(toolchain, src, "", timeout, scripts);
    }

    /** The same, with {@code file} as it is at {@code mount}. */
    public Digest recipeWithFile(Digest toolchain, Digest src, Digest file, String mount, String timeout,
            String... scripts) throws Exception {
        return recipe(toolchain, src, ", \"file\": {\"digest\": \"%s\", \"mount\": \"%s\", \"kind\": \"file\"}"
                .formatted(file, mount), timeout, scripts);
    }

    private Digest recipe(Digest toolchain, Digest src, String moreInputs, String timeout, String... scripts)
            throws Exception {
        String steps = java.util.stream.IntStream.range(0, scripts.length)
                .mapToObj(i -> """
                        {"name": "step-%d", "argv": ["/toolchain/bin/sh", "-c", %s],
                         "env": {"PATH": "/toolchain/bin", "LANG": "C"}, "timeout": "%s"}"""
                        .formatted(i + 1, quote(scripts[i]), timeout))
                .collect(Collectors.joining(","));
        String recipe = """
                {"deploymentSet": "payments-api",
                 "inputs": {"toolchain": {"digest": "%s", "mount": "/toolchain"},
                            "src": {"digest": "%s", "mount": "/src"}%s},
                 "steps": [%s],
                 "outputs": ["out"],
                 "rollout": {"maxUnavailable": 1, "failureTolerance": 0, "slotDeadline": "PT5M", "drainTimeout": "PT30S",
                             "canaryHosts": [], "health": {"url": "http://127.0.0.1:8080/health", "timeout": "PT2S",
                             "retries": 3, "deadline": "PT1M"}}}
                """.formatted(toolchain, src, moreInputs, steps);
        return store(RecipeJson.canonical(recipe.getBytes(UTF_8)));
    }

    private Digest packAndStore(Path tree) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        ReproducibleTar.pack(tree, tar);
        return store(tar.toByteArray());
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
