package io.tidemark.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.DatabaseConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Upgrading a store that has data: V11 moves every event and log entry into its tenant's month partition. */
class PartitionMigrationTest {

  @Test
  void existing_events_and_log_entries_move_into_month_partitions_and_keep_their_keys() throws Exception {
    String schema = TestDatabase.newSchema(PartitionMigrationTest.class);
    DatabaseConfig database = TestGateway.load(TestGateway.testConfig(), schema).database();
    try (HikariDataSource data = Database.jdbcDataSource(database, "migration-test", 3)) {
      flyway(data, schema).target("10").load().migrate();
      try (Connection c = data.getConnection(); Statement s = c.createStatement()) {
        s.execute("SET search_path = " + schema);
        s.execute("INSERT INTO tenant VALUES ('a1b2c3d4-0000-4000-8000-000000100737', 100737, -1, 'demo')");
        s.execute("""
            INSERT INTO event (tenant_locator, position, locator, user_locator, request_id, recorded_at, type, data)
            SELECT 'a1b2c3d4-0000-4000-8000-000000100737', g, 'L' || g, NULL, 'r', timestamptz '2026-10-31T23:58:00Z' + g * interval '1 min',
                   't', '{}' FROM generate_series(1, 4) g""");
        s.execute("""
            INSERT INTO event_log (id, org_id, parent_org_id, webhook_id, event_name, status, message, input_request, start_time, response_time_ms)
            SELECT gen_random_uuid(), 100737, -1, 'h', 'E', 'EVENT_SUCCESS', 'm', '{}', timestamptz '2026-09-30T23:58:30Z' + g * interval '1 min', 1
              FROM generate_series(1, 3) g""");
      }

      flyway(data, schema).load().migrate();

      try (Connection c = data.getConnection(); Statement s = c.createStatement()) {
        s.execute("SET search_path = " + schema);
        // One minute before November and three after: two months, each in its own partition.
        assertEquals(List.of("event_a1b2c3d4000040008000000000100737_202610:1", "event_a1b2c3d4000040008000000000100737_202611:3"),
            rows(s, "SELECT tableoid::regclass::text || ':' || count(*) FROM event GROUP BY tableoid ORDER BY 1"));
        assertEquals(List.of("event_log_100737_202609:1", "event_log_100737_202610:2"),
            rows(s, "SELECT tableoid::regclass::text || ':' || count(*) FROM event_log GROUP BY tableoid ORDER BY 1"));
        assertEquals(List.of("1,2,3,4"), rows(s, "SELECT string_agg(position::text, ',' ORDER BY position) FROM event"));
        // The log's sequence carries on after the moved rows.
        s.execute("""
            INSERT INTO event_log (id, org_id, parent_org_id, webhook_id, event_name, status, message, input_request, start_time, response_time_ms)
            VALUES (gen_random_uuid(), 100737, -1, 'h', 'E', 'EVENT_SUCCESS', 'm', '{}', timestamptz '2026-10-05', 1)""");
        assertEquals(List.of("4"), rows(s, "SELECT max(seq)::text FROM event_log"));
      }
    } finally {
      TestDatabase.dropSchema(schema);
    }
  }

  private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(HikariDataSource data, String schema) {
    return Flyway.configure().dataSource(data).schemas(schema).createSchemas(true).locations("classpath:db/migration");
  }

  private static List<String> rows(Statement s, String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }
}
