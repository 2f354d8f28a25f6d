package dev.example.greeter;

import com.google.gson.Gson;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A small HTTP service: {@code /} greets in JSON (written by Gson, a dependency imported by hash), {@code /health}
 * answers 200 until the drain hook creates the draining mark, then 503 so new work goes elsewhere.
 */
public final class Greeter {

    private static final Gson GSON = new Gson();

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv("PORT"));
        Path draining = Path.of(System.getProperty("java.io.tmpdir"), "greeter-" + port + ".draining");
        Files.deleteIfExists(draining);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/health", exchange -> {
            boolean drain = Files.exists(draining);
            send(exchange, drain ? 503 : 200, drain ? "draining\n" : "ok\n", "text/plain");
        });
        server.createContext("/", exchange -> send(exchange, 200,
                GSON.toJson(Map.of("greeting", "hello from the greeter", "port", port)) + "\n", "application/json"));
        server.setExecutor(Executors.newFixedThreadPool(4));
        // On SIGTERM, requests in flight get a second to finish.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
        server.start();
    }

    private static void send(HttpExchange exchange, int status, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
