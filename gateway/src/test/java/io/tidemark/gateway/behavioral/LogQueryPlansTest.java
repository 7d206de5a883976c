package io.tidemark.gateway.behavioral;

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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every processing-log page reads its filter's index in order, without statistics to help. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogQueryPlansTest {

  private final String schema = TestDatabase.newSchema(LogQueryPlansTest.class);
  private final Vertx vertx = Vertx.vertx();
  private Pool pool;

  @BeforeAll
  void load() {
    DatabaseConfig database = TestGateway.load(TestGateway.testConfig(), schema).database();
    Database.migrate(database);
    pool = Database.pool(vertx, database);
    TestPartitions.prepare(pool, java.util.stream.IntStream.range(100737, 100741).mapToObj(Partitions.Owner::logs).toList(),
        YearMonth.of(2026, 1), YearMonth.of(2026, 3), true);
    await(pool.query("""
        INSERT INTO event_log (id, org_id, parent_org_id, webhook_id, event_name, status, message, input_request,
                               start_time, response_time_ms)
        SELECT gen_random_uuid(), 100737 + g % 4, -1, 'hook', 'Event_' || (g % 50),
               CASE WHEN g % 7 = 0 THEN 'UNAUTHORIZED' ELSE 'STATUS_' || (g % 5) END, 'm', '{}',
               timestamptz '2026-01-01' + g * interval '1 s', 1
          FROM generate_series(1, 200000) AS g""").execute());
  }

  @AfterAll
  void drop() {
    await(pool.close());
    await(vertx.close());
    TestDatabase.dropSchema(schema);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "no filter,         ,          ,            , _org_id_start_time_seq_idx",
      "event name,        Event_7,   ,            , _org_id_event_name_start_time_seq_idx",
      "status,            ,          STATUS_2,    , _org_id_status_start_time_seq_idx",
      "unauthorised,      ,          UNAUTHORIZED,, _org_id_status_start_time_seq_idx",
      "name and dates,    Event_7,   ,            2026-01-02T00:00:00Z, _org_id_event_name_start_time_seq_idx"})
  void each_filter_reads_its_index_in_order(String label, String eventName, String status, String from, String index) {
    EventLogStore.Query query = new EventLogStore.Query(100737, Optional.ofNullable(eventName), Optional.ofNullable(status),
        Optional.ofNullable(from).map(Instant::parse), Optional.empty(),
        Optional.of(Instant.parse("2026-01-03T00:00:00Z")), 150_000L, 11);
    EventLogStore.Select select = EventLogStore.select(query);
    String plan = QueryPlans.explainPrepared(pool, select.sql(),
        select.params().stream().map(LogQueryPlansTest::literal).toList());
    assertTrue(plan.contains(index), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
    // A Sort node (not a Merge Append's "Sort Key": merging partitions read in index order is fine).
    assertFalse(java.util.regex.Pattern.compile("(?m)^\\s*(->\\s+)?Sort\\s+\\(").matcher(plan).find(), plan);
  }

  private static String literal(Object value) {
    return value instanceof Number ? value.toString() : "'" + (value instanceof OffsetDateTime t ? t.toString() : value) + "'";
  }
}
