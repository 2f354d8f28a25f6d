package dev.slipway.testsupport.postgres;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a Quarkus application's datasource (JDBC and reactive) at the shared {@link PostgresServer}. */
public final class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        PostgresServer postgres = PostgresServer.shared();
        return Map.of(
                "quarkus.datasource.username", PostgresServer.USER,
                "quarkus.datasource.password", "",
                "quarkus.datasource.jdbc.url", postgres.jdbcUrl(),
                "quarkus.datasource.reactive.url", postgres.reactiveUrl());
    }

    @Override
    public void stop() {
        // The server is shared by the whole JVM and stops when it exits.
    }
}
