package dev.slipway.release;

import dev.slipway.testsupport.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The read model's rows, straight from PostgreSQL over JDBC, in primary-key order: what "same state" compares. */
public final class ReadModelDump {

    public static final List<String> TABLES = List.of("audit_log", "deployment_sets", "builds", "artifacts",
            "deployables", "hosts", "rollouts", "rollout_hosts", "set_holds");

    private ReadModelDump() {
    }

    public static List<String> rows() {
        List<String> rows = new ArrayList<>();
        try (Connection connection = PostgresServer.shared().dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet result = statement.executeQuery("select * from " + table + " order by 1")) {
                    int columns = result.getMetaData().getColumnCount();
                    while (result.next()) {
                        StringBuilder row = new StringBuilder(table);
                        for (int c = 1; c <= columns; c++) {
                            row.append(" | ").append(result.getMetaData().getColumnName(c)).append('=')
                                    .append(result.getString(c));
                        }
                        rows.add(row.toString());
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the read model", e);
        }
        return rows;
    }

    /** Fails with only the rows that differ, each side's. */
    public static void assertSame(List<String> expected, String why) {
        List<String> actual = rows();
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        List<String> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new AssertionError(why + "\nrows expected but not found:\n  " + String.join("\n  ", missing)
                    + "\nrows found but not expected:\n  " + String.join("\n  ", extra));
        }
    }

    public static void truncate() {
        try (Connection connection = PostgresServer.shared().dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("truncate " + String.join(", ", TABLES));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty the read model", e);
        }
    }
}
