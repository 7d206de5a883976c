package io.tidemark.gateway.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.store.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

/**
 * {@code bin/tidemark bench --retention}: what expiring a month of events costs, as retention
 * does it (DROP TABLE of the month's partition) and as a table without partitions would have to
 * (DELETE of the month's rows, then the VACUUM that makes their space reusable). Two tenants get
 * the same month of events ({@code -Dbench.events}, default 10,000,000 each) in the gateway's own
 * tables and indexes; one month is dropped, the other deleted. Figures, not assertions.
 */
public final class RetentionBenchmark {

  private static final long EVENTS = Long.getLong("bench.events", 10_000_000L);
  private static final long CHUNK = 1_000_000L;
  private static final UUID DROPPED = UUID.fromString("00000000-0000-4000-8000-00000000d409");
  private static final UUID DELETED = UUID.fromString("00000000-0000-4000-8000-0000000de1e7");

  public static void main(String[] args) throws Exception {
    String schema = TestDatabase.newSchema(RetentionBenchmark.class);
    DatabaseConfig database = TestGateway.load(TestGateway.testConfig(), schema).database();
    try {
      Database.migrate(database);
      try (HikariDataSource data = Database.jdbcDataSource(database, "retention-bench", 1);
          Connection c = data.getConnection(); Statement s = c.createStatement()) {
        c.setAutoCommit(true);
        s.execute("SET search_path = " + schema);
        System.out.printf("Tidemark retention benchmark: %,d events in one month for each of two tenants, %s%n%n",
            EVENTS, version(s));
        for (UUID tenant : new UUID[] {DROPPED, DELETED}) {
          String parent = "event_" + tenant.toString().replace("-", "");
          s.execute("CREATE TABLE " + parent + " PARTITION OF event FOR VALUES IN ('" + tenant + "') PARTITION BY RANGE (recorded_at)");
          s.execute("CREATE TABLE " + parent + "_202601 PARTITION OF " + parent
              + " FOR VALUES FROM ('2026-01-01T00:00:00Z') TO ('2026-02-01T00:00:00Z')");
          s.execute("CREATE TABLE " + parent + "_default PARTITION OF " + parent + " DEFAULT");
          long started = System.nanoTime();
          for (long from = 1; from <= EVENTS; from += CHUNK) {
            long to = Math.min(EVENTS, from + CHUNK - 1);
            s.execute("""
                INSERT INTO event (tenant_locator, position, locator, user_locator, request_id, recorded_at, type, data)
                SELECT '%s', g, md5(g::text), NULL, 'req-' || (g / 3),
                       timestamptz '2026-01-01' + (g * interval '1 s') * (2678399.0 / %d),
                       'policy.issued', jsonb_build_object('policyLocator', md5(g::text), 'premium', 120.5)
                  FROM generate_series(%d, %d) g""".formatted(tenant, EVENTS, from, to));
          }
          System.out.printf("loaded %s: %,d events in %.1f s%n", parent + "_202601", EVENTS, seconds(started));
        }
        try {
          s.execute("CHECKPOINT"); // the loads' dirty pages out first, where the role may (pg_checkpoint)
        } catch (java.sql.SQLException notAllowed) {
          System.out.println("(no CHECKPOINT before the timings: the role lacks pg_checkpoint)");
        }
        String size = one(s, "SELECT pg_size_pretty(pg_total_relation_size('event_" + hex(DROPPED) + "_202601'))");

        long drop = System.nanoTime();
        s.execute("DROP TABLE event_" + hex(DROPPED) + "_202601");
        double dropSeconds = seconds(drop);

        long delete = System.nanoTime();
        s.execute("DELETE FROM event WHERE tenant_locator = '" + DELETED + "'"
            + " AND recorded_at >= '2026-01-01T00:00:00Z' AND recorded_at < '2026-02-01T00:00:00Z'");
        double deleteSeconds = seconds(delete);
        long vacuum = System.nanoTime();
        s.execute("VACUUM event_" + hex(DELETED) + "_202601");
        double vacuumSeconds = seconds(vacuum);

        System.out.printf("%nmonth partition: %s (table and its five indexes)%n", size);
        System.out.printf("%-34s %10s%n", "expiring one month", "seconds");
        System.out.printf("%-34s %10.3f%n", "DROP TABLE of its partition", dropSeconds);
        System.out.printf("%-34s %10.3f%n", "DELETE of its rows", deleteSeconds);
        System.out.printf("%-34s %10.3f%n", "  then VACUUM to reuse the space", vacuumSeconds);
        System.out.printf("%nDELETE + VACUUM took %.0f× as long as DROP.%n",
            (deleteSeconds + vacuumSeconds) / Math.max(dropSeconds, 1e-6));
      }
    } finally {
      TestDatabase.dropSchema(schema);
    }
  }

  private static String hex(UUID tenant) {
    return tenant.toString().replace("-", "");
  }

  private static String version(Statement s) throws Exception {
    return "PostgreSQL " + one(s, "SHOW server_version");
  }

  private static String one(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
