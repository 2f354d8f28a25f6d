import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * The greeter's build, run by the JDK toolchain's own launcher inside the sandbox (no shell, no network):
 * compiles src/main/java against the jars in the dependency directory, and packs app/greeter.jar
 * reproducibly (entries sorted, one fixed time), with the dependencies beside it in app/lib.
 * Usage: java Build.java SRC DEPS OUT
 */
public final class Build {

    private static final LocalDateTime FIXED = LocalDateTime.of(1980, 2, 1, 0, 0);

    public static void main(String[] args) throws IOException {
        Path src = Path.of(args[0]);
        Path deps = Path.of(args[1]);
        Path out = Path.of(args[2]);
        Path classes = Files.createTempDirectory("classes");
        List<Path> jars = sorted(deps, ".jar");
        List<String> javac = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17", "-encoding", "UTF-8",
                "-Xlint:all", "-Werror", "-classpath", jars.stream().map(Path::toString).collect(Collectors.joining(":"))));
        sorted(src.resolve("main/java"), ".java").forEach(file -> javac.add(file.toString()));
        if (ToolProvider.getSystemJavaCompiler().run(null, null, null, javac.toArray(String[]::new)) != 0) {
            System.exit(1);
        }
        Path app = Files.createDirectories(out.resolve("app/lib"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.example.greeter.Greeter");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, jars.stream()
                .map(jar -> "lib/" + jar.getFileName()).collect(Collectors.joining(" ")));
        try (OutputStream file = Files.newOutputStream(out.resolve("app/greeter.jar"));
                JarOutputStream jar = new JarOutputStream(file)) {
            put(jar, "META-INF/", null);
            put(jar, "META-INF/MANIFEST.MF", manifest);
            for (Path path : sorted(classes, "")) {
                put(jar, classes.relativize(path).toString().replace('\\', '/'), Files.readAllBytes(path));
            }
        }
        for (Path dependency : jars) {
            Files.copy(dependency, app.resolve(dependency.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        for (String file : List.of("serve", "drain", "slipway-manifest.json")) {
            Files.copy(src.resolve(file), out.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void put(JarOutputStream jar, String name, Object content) throws IOException {
        JarEntry entry = new JarEntry(name);
        entry.setTimeLocal(FIXED);
        jar.putNextEntry(entry);
        if (content instanceof Manifest manifest) {
            manifest.write(jar);
        } else if (content instanceof byte[] bytes) {
            jar.write(bytes);
        }
        jar.closeEntry();
    }

    /** Regular files under {@code root} ending in {@code suffix}, in one order whatever the filesystem's. */
    private static List<Path> sorted(Path root, String suffix) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).filter(path -> path.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
