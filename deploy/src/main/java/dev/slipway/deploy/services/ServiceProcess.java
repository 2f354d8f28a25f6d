package dev.slipway.deploy.services;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One Slipway service run from its packaged Quarkus application, as production runs it, on its own port. */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;
    private final List<String> command;

    private ServiceProcess(String name, int port, Path log, Process process, List<String> command) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
        this.command = command;
    }

    /**
     * {@code kill -9} of the service's JVM alone (what a crash or the OOM killer does; an agent's service lives
     * on), then the same command again: the restarted service must carry on from what it had made durable.
     */
    public ServiceProcess crashAndRestart() throws IOException, InterruptedException {
        process.destroyForcibly().waitFor();
        return new ServiceProcess(name, port, log, launch(command, log), command);
    }

    private static Process launch(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /**
     * Starts {@code <repository>/<module>/target/quarkus-app/quarkus-run.jar} on {@code port}.
     *
     * @param repository the repository root (the services are packaged under it by the Maven build)
     */
    public static ServiceProcess start(Path repository, String module, String name, int port, Path logs,
            Map<String, String> properties) throws IOException {
        Path jar = repository.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with ./mvnw install -DskipTests (or run "
                    + "./mvnw verify, which packages every service before deploy's tests)");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.http.port=" + port));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        Path log = logs.resolve(name + ".log");
        Files.deleteIfExists(log);
        return new ServiceProcess(name, port, log, launch(command, log), List.copyOf(command));
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    /** UP on {@code /q/health/ready}. */
    public boolean ready() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Stops the service and everything it started (an agent leaves its service running by design). */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    public static int freePort() throws IOException {
        // The kernel may hand the same free port to two binds in a row: a stack of a dozen services asks for a
        // dozen ports before any is bound, and two of them sharing one made a service exit at start.
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
}
