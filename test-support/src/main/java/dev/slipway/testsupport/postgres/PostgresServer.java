package dev.slipway.testsupport.postgres;

import dev.slipway.testsupport.JvmWide;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server (embedded binaries, started as a child process), shared by every test of the JVM
 * in every class loader: started on first use, stopped when the JVM exits. Trust authentication as user
 * {@code postgres}.
 */
public final class PostgresServer {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";
    static final String PORT_PROPERTY = "slipway.test.postgres.port";

    private final int port;

    private PostgresServer(int port) {
        this.port = port;
    }

    /** The JVM's server, started on first call (about a second). */
    public static PostgresServer shared() {
        return new PostgresServer(Integer.parseInt(JvmWide.address(PORT_PROPERTY, () -> {
            try {
                // zonky registers its own shutdown hook that stops the server when the JVM exits.
                return Integer.toString(EmbeddedPostgres.builder().start().getPort());
            } catch (IOException e) {
                throw new IllegalStateException("could not start the embedded PostgreSQL: " + e.getMessage(), e);
            }
        })));
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    /** The URL form the Vert.x reactive client (and so Hibernate Reactive) expects. */
    public String reactiveUrl() {
        return "postgresql://localhost:" + port + "/" + DATABASE;
    }

    public DataSource dataSource() {
        return dataSource(DATABASE);
    }

    /**
     * Another database of the same server: {@code template1}, say, for what PostgreSQL does not let a session do
     * to its own database (refuse its connections during a simulated outage).
     */
    public DataSource dataSource(String database) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://localhost:" + port + "/" + database);
        dataSource.setUser(USER);
        return dataSource;
    }
}
