package io.tidemark.gateway.stream;

import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.QueryPlans;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.TestPartitions;
import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.store.Database;
import io.tidemark.gateway.store.Partitions;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every stream read is served by an index, never by scanning a tenant's whole stream. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamQueryPlansTest {

  private static final UUID TENANT = UUID.randomUUID();
  private static final OffsetDateTime START = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private final String schema = TestDatabase.newSchema(StreamQueryPlansTest.class);
  private final Vertx vertx = Vertx.vertx();
  private Pool pool;

  @BeforeAll
  void load() {
    DatabaseConfig database = TestGateway.load(TestGateway.testConfig(), schema).database();
    Database.migrate(database);
    pool = Database.pool(vertx, database);
    // 200,000 events over five tenants and twenty types, one per 10 ms, and no statistics: the
    // state right after a burst of appends, before autovacuum has analyzed the table, when row
    // estimates are at their worst.
    // Each tenant's months as the gateway makes them: the data's month and two empty ones ahead.
    List<Partitions.Owner> owners = new java.util.ArrayList<>(List.of(Partitions.Owner.events(TENANT)));
    for (int i = 1; i < 5; i++) {
      owners.add(Partitions.Owner.events(UUID.fromString(md5Uuid(i))));
    }
    TestPartitions.prepare(pool, owners, YearMonth.of(2026, 1), YearMonth.of(2026, 3), true);
    await(pool.preparedQuery("""
        INSERT INTO event (tenant_locator, position, locator, user_locator, request_id, recorded_at, type, data)
        SELECT CASE WHEN g % 5 = 0 THEN $1::uuid ELSE md5((g % 5)::text)::uuid END,
               g, 'L' || g, NULL, 'req-' || (g / 3), timestamptz '2026-01-01' + g * interval '10 ms',
               'type-' || (g % 20), '{}'::jsonb
          FROM generate_series(1, 200000) AS g""").execute(Tuple.of(TENANT)));
  }

  @AfterAll
  void drop() {
    await(pool.close());
    await(vertx.close());
    TestDatabase.dropSchema(schema);
  }

  @Test
  void the_list_uses_the_primary_key_and_the_time_index() {
    assertReadInIndexOrder(StreamQueries.PAGE, tenant(), "0", "NULL", "NULL", "100");
    String bounded = assertReadInIndexOrder(StreamQueries.PAGE, tenant(), "150000",
        literal(START.plusMinutes(5)), literal(START.plusMinutes(20)), "100");
    assertTrue(bounded.contains("_tenant_locator_recorded_at_p"), bounded);
    assertTrue(bounded.contains("_202601_pkey"), bounded);
  }

  @Test
  void the_list_of_one_type_uses_the_type_index() {
    String plan = assertReadInIndexOrder(StreamQueries.PAGE_OF_TYPE, tenant(), "0", literal(START.plusMinutes(5)), "NULL", "100", "'type-5'");
    assertTrue(plan.contains("_tenant_locator_type_position_idx"), plan);
  }

  @Test
  void lookups_by_locator_and_by_request_use_their_indexes() {
    assertTrue(assertIndexOnly(StreamQueries.BY_LOCATOR, tenant(), "'L500'").contains("_locator_locator_"));
    assertTrue(assertIndexOnly(StreamQueries.BY_REQUEST, tenant(), "'req-100'").contains("_request_id_"));
  }

  private String assertIndexOnly(String sql, String... literals) {
    String plan = QueryPlans.explainPrepared(pool, sql, List.of(literals));
    assertFalse(plan.contains("Seq Scan"), plan);
    assertTrue(plan.contains("Index"), plan);
    return plan;
  }

  /** A page is read in index order and stops at its LIMIT, never collected whole and sorted. */
  private String assertReadInIndexOrder(String sql, String... literals) {
    String plan = assertIndexOnly(sql, literals);
    // A Sort node (not a Merge Append's "Sort Key": merging partitions read in index order is fine).
    assertFalse(java.util.regex.Pattern.compile("(?m)^\\s*(->\\s+)?Sort\\s+\\(").matcher(plan).find(), plan);
    assertFalse(plan.contains("Bitmap Heap Scan"), plan);
    return plan;
  }

  /** md5(i)::uuid, as the insert below derives the other tenants. */
  private static String md5Uuid(int i) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("MD5").digest(Integer.toString(i).getBytes());
      String hex = java.util.HexFormat.of().formatHex(d);
      return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-" + hex.substring(16, 20) + "-" + hex.substring(20);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tenant() {
    return "'" + TENANT + "'";
  }

  private static String literal(OffsetDateTime t) {
    return "'" + t + "'";
  }
}
