package dev.slipway.deploy.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server from embedded binaries, its data kept in a directory so a restart keeps every
 * row ({@code initdb} runs only when the directory holds no cluster yet). Trust authentication on
 * 127.0.0.1 as user {@code postgres}; Slipway's own database is {@value #DATABASE}.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String DATABASE = "slipway";
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private LocalPostgres(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static LocalPostgres start(Path directory, int port) throws IOException, SQLException {
        Files.createDirectories(directory);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                // Stopped by LocalInfrastructure, in order, rather than by a hook racing with ours.
                .setRegisterShutdownHook(false)
                .setPort(port)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(directory.resolveSibling("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(directory.resolveSibling("postgres.log").toFile()))
                .start();
        LocalPostgres local = new LocalPostgres(postgres);
        local.createDatabaseIfMissing();
        return local;
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    /** The URL form the Vert.x reactive client (and so Hibernate Reactive) expects. */
    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    public Connection connect() throws SQLException {
        return postgres.getDatabase(USER, DATABASE).getConnection();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet row = exists.executeQuery()) {
                if (row.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + DATABASE);
            }
        }
    }
}
