package dev.slipway.testsupport.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;

/**
 * A real PostgreSQL server (embedded binaries, started as a child process), shared by every test of the JVM:
 * started on first use, stopped when the JVM exits. Trust authentication as user {@code postgres}.
 */
public final class PostgresServer {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private static PostgresServer shared;

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** The JVM's server, started on first call (about a second). */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            try {
                // zonky registers its own shutdown hook that stops the server when the JVM exits.
                shared = new PostgresServer(EmbeddedPostgres.builder().start());
            } catch (IOException e) {
                throw new IllegalStateException("could not start the embedded PostgreSQL: " + e.getMessage(), e);
            }
        }
        return shared;
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
    }

    /** The URL form the Vert.x reactive client (and so Hibernate Reactive) expects. */
    public String reactiveUrl() {
        return "postgresql://localhost:" + port() + "/" + DATABASE;
    }

    public DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }
}
