package io.tidemark.gateway.store;

import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.StoreConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The append API on its own: group commit, positions, timestamps and draining on stop. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupCommitAppenderTest {

  private final String schema = TestDatabase.newSchema(GroupCommitAppenderTest.class);
  private DatabaseConfig database;
  private Vertx vertx;
  private Pool pool;
  private UUID tenant;

  @BeforeAll
  void migrate() {
    GatewayConfig config = TestGateway.load(TestGateway.testConfig(), schema);
    database = config.database();
    Database.migrate(database);
  }

  @AfterAll
  void drop() {
    TestDatabase.dropSchema(schema);
  }

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, database);
    tenant = UUID.randomUUID(); // a stream of this test's own
  }

  @AfterEach
  void close() {
    await(pool.close());
    await(vertx.close());
  }

  @Test
  void one_calls_events_get_consecutive_positions_one_timestamp_and_their_emitted_order() {
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 0));
    List<StoredEvent> first = await(appender.append(request("r1", 3)));
    List<StoredEvent> second = await(appender.append(request("r2", 2)));

    assertEquals(List.of(1L, 2L, 3L), first.stream().map(StoredEvent::position).toList());
    assertEquals(List.of(4L, 5L), second.stream().map(StoredEvent::position).toList());
    assertEquals(1, first.stream().map(StoredEvent::timestamp).distinct().count());
    assertTrue(!second.get(0).timestamp().isBefore(first.get(0).timestamp()));
    assertEquals(List.of(0, 1, 2), first.stream().map(e -> e.data().getInteger("index")).toList());
    assertEquals(0, first.get(0).timestamp().getNano() % 1_000_000, "timestamps carry milliseconds, no finer");
  }

  @Test
  void what_the_future_returns_is_what_was_committed() {
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 0));
    List<StoredEvent> stored = await(appender.append(request("r1", 4)));
    List<StoredEvent> read = await(pool.preparedQuery("SELECT " + StoredEvent.COLUMNS
            + " FROM event WHERE tenant_locator = $1 ORDER BY position")
        .execute(io.vertx.sqlclient.Tuple.of(tenant))
        .map(rows -> {
          List<StoredEvent> events = new ArrayList<>();
          rows.forEach(row -> events.add(StoredEvent.fromRow(row)));
          return events;
        }));
    assertEquals(stored, read);
  }

  @Test
  void concurrent_appends_share_a_transaction() {
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 50));
    List<Future<List<StoredEvent>>> appends = IntStream.range(0, 40)
        .mapToObj(i -> appender.append(request("r" + i, 1)))
        .toList();
    await(Future.all(appends));

    List<Long> perTransaction = eventsPerTransaction();
    assertEquals(40, perTransaction.stream().mapToLong(Long::longValue).sum());
    assertTrue(perTransaction.size() < 40, "40 appends within the linger should share commits: " + perTransaction);
  }

  @Test
  void a_batch_carries_at_most_max_batch_events_but_a_larger_call_still_commits_whole() {
    GroupCommitAppender appender = deploy(new StoreConfig(10, 50));
    List<Future<List<StoredEvent>>> appends = new ArrayList<>();
    IntStream.range(0, 30).forEach(i -> appends.add(appender.append(request("small" + i, 1))));
    appends.add(appender.append(request("large", 25)));
    await(Future.all(appends));

    List<Long> perTransaction = eventsPerTransaction();
    assertEquals(55, perTransaction.stream().mapToLong(Long::longValue).sum());
    assertTrue(perTransaction.contains(25L), "the 25-event call commits alone: " + perTransaction);
    assertTrue(perTransaction.stream().filter(n -> n != 25L).allMatch(n -> n <= 10), perTransaction.toString());
  }

  @Test
  void stopping_drains_every_append_accepted_before_it() throws Exception {
    GroupCommitAppender appender = new GroupCommitAppender(pool, new StoreConfig(7, 5));
    String id = await(vertx.deployVerticle(appender));
    List<Future<List<StoredEvent>>> appends = IntStream.range(0, 200)
        .mapToObj(i -> appender.append(request("r" + i, 2)))
        .toList();
    await(vertx.undeploy(id));

    for (Future<List<StoredEvent>> append : appends) {
      assertTrue(append.toCompletionStage().toCompletableFuture().isDone() && append.succeeded(), "every append committed");
    }
    assertEquals(400L, count());

    ExecutionException late = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> appender.append(request("late", 1)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertInstanceOf(StoreUnavailable.class, late.getCause());
  }

  @Test
  void tenants_in_one_batch_each_keep_their_own_positions() {
    // A linger far longer than issuing three appends takes: they surely land in one batch.
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 1000));
    UUID second = UUID.randomUUID();
    Future<List<StoredEvent>> a = appender.append(request("a", 2));
    Future<List<StoredEvent>> b = appender.append(new AppendRequest(second, null, "b", List.of(new NewEvent("x", null))));
    Future<List<StoredEvent>> c = appender.append(request("c", 1));
    await(Future.all(a, b, c));
    assertEquals(List.of(1L, 2L), await(a).stream().map(StoredEvent::position).toList());
    assertEquals(List.of(1L), await(b).stream().map(StoredEvent::position).toList());
    assertEquals(List.of(3L), await(c).stream().map(StoredEvent::position).toList());
    long transactions = await(pool.preparedQuery("SELECT count(DISTINCT xmin::text) AS n FROM event WHERE tenant_locator IN ($1, $2)")
        .execute(io.vertx.sqlclient.Tuple.of(tenant, second)).map(rows -> rows.iterator().next().getLong("n")));
    assertEquals(1L, transactions, "both tenants' events were written by one transaction");
  }

  @Test
  void an_empty_append_commits_nothing() {
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 0));
    assertEquals(List.of(), await(appender.append(new AppendRequest(tenant, null, "r", List.of()))));
    assertEquals(0L, count());
  }

  @Test
  void a_call_whose_data_postgres_refuses_fails_alone_and_every_other_call_of_its_batch_commits() {
    // A linger gathers the calls into shared transactions, so the poison shares one with many others.
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 20));
    UUID second = UUID.randomUUID();
    List<Future<List<StoredEvent>>> results = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      UUID to = i % 2 == 0 ? tenant : second;
      // JsonBodies refuses \u0000 at the HTTP boundary; this proves the store's own defence.
      JsonObject data = i == 500 ? new JsonObject().put("note", "nul\u0000here") : new JsonObject().put("i", i);
      results.add(appender.append(new AppendRequest(to, null, "call-" + i, List.of(new NewEvent("test.event", data)))));
    }
    await(Future.join(results).otherwiseEmpty());

    List<Integer> failed = IntStream.range(0, 1000).filter(i -> results.get(i).failed()).boxed().toList();
    assertEquals(List.of(500), failed, "only the poisoned call fails");
    StoreRefusedData refused = assertInstanceOf(StoreRefusedData.class, results.get(500).cause());
    assertTrue(refused.sqlState().startsWith("22"), refused.sqlState());
    assertEquals(499L, count());
    assertEquals(500L, count(second));
    // Positions stay gapless: the poisoned call took none.
    assertEquals(List.of(499L), await(pool.query("SELECT max(position) AS m FROM event WHERE tenant_locator = '" + tenant + "'")
        .execute().map(rows -> List.of(rows.iterator().next().getLong("m")))));
  }

  @Test
  void event_data_that_is_not_json_fails_its_call_at_once_and_never_splits_a_batch() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GroupCommitAppender appender = new GroupCommitAppender(pool, new StoreConfig(1000, 20), registry);
    await(vertx.deployVerticle(appender));
    List<Future<List<StoredEvent>>> results = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      // A value no JSON encoder knows, as a careless producer might put in an event's data.
      JsonObject data = i == 50 ? new JsonObject().put("thing", new Object()) : new JsonObject().put("i", i);
      results.add(appender.append(new AppendRequest(tenant, null, "call-" + i, List.of(new NewEvent("test.event", data)))));
    }
    // Refused on the caller's thread, before it could join a batch.
    assertTrue(results.get(50).failed(), "the call with unencodable data fails before append returns");
    await(Future.join(results).otherwiseEmpty());

    List<Integer> failed = IntStream.range(0, 100).filter(i -> results.get(i).failed()).boxed().toList();
    assertEquals(List.of(50), failed, "only that call fails");
    assertInstanceOf(io.vertx.core.json.EncodeException.class, results.get(50).cause());
    assertEquals(99L, count());
    assertEquals(0.0, registry.get("tidemark.store.batch.split").counter().count(), "no batch was retried call by call");
    assertEquals(List.of(99L), await(pool.query("SELECT max(position) AS m FROM event WHERE tenant_locator = '" + tenant + "'")
        .execute().map(rows -> List.of(rows.iterator().next().getLong("m")))));
  }

  @Test
  void a_call_whose_write_violates_a_unique_key_fails_alone_with_a_conflict_and_its_batch_commits() {
    // A replayed webhook message or a reused idempotency key meets a unique key this way.
    await(pool.query("CREATE TABLE seen_message (message_id text PRIMARY KEY)").execute());
    String markSeen = "INSERT INTO seen_message (message_id) VALUES ($1)";
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 20));
    List<Future<List<StoredEvent>>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      // Calls 3 and 7 carry the same message id: the second of them must fail, nobody else.
      String messageId = i == 7 ? "msg-3" : "msg-" + i;
      results.add(appender.append(request("unique-" + i, 1)
          .withWrites(List.of(new StoreWrite(markSeen, io.vertx.sqlclient.Tuple.of(messageId))))));
    }
    await(Future.join(results).otherwiseEmpty());

    List<Integer> failed = IntStream.range(0, 10).filter(i -> results.get(i).failed()).boxed().toList();
    assertEquals(List.of(7), failed, "only the duplicate fails");
    assertInstanceOf(StoreConflict.class, results.get(7).cause());
    assertEquals(9L, count());
  }

  @Test
  void a_calls_writes_commit_with_its_events_or_neither_does() {
    await(pool.query("CREATE TABLE call_note (request_id text PRIMARY KEY, note text NOT NULL)").execute());
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 0));
    String insertNote = "INSERT INTO call_note (request_id, note) VALUES ($1, $2)";

    await(appender.append(request("kept", 2).withWrites(List.of(new StoreWrite(insertNote, io.vertx.sqlclient.Tuple.of("kept", "ok"))))));
    Future<List<StoredEvent>> refused = appender.append(request("refused", 2)
        .withWrites(List.of(new StoreWrite(insertNote, io.vertx.sqlclient.Tuple.of("refused", "nul\u0000")))));
    await(refused.otherwiseEmpty());
    List<StoredEvent> notesOnly = await(appender.append(new AppendRequest(tenant, null, "note-only", List.of(),
        List.of(new StoreWrite(insertNote, io.vertx.sqlclient.Tuple.of("note-only", "no events"))))));

    assertInstanceOf(StoreRefusedData.class, refused.cause());
    assertEquals(List.of(), notesOnly);
    assertEquals(2L, count(), "the refused call left no events behind");
    assertEquals(List.of("kept", "note-only"), await(pool.query("SELECT request_id FROM call_note ORDER BY request_id").execute()
        .map(rows -> {
          List<String> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getString("request_id")));
          return ids;
        })));
  }

  @Test
  void a_write_the_client_cannot_even_encode_fails_its_call_and_commits_nothing_of_it() {
    await(pool.query("CREATE TABLE call_count (request_id text PRIMARY KEY, n int4 NOT NULL)").execute());
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 0));
    String insert = "INSERT INTO call_count (request_id, n) VALUES ($1, $2)";
    // A text where PostgreSQL expects int4: the client refuses to encode it and never sends it,
    // so the server sees no error; COMMIT must not run after it.
    Future<List<StoredEvent>> unencodable = appender.append(request("unencodable", 2)
        .withWrites(List.of(new StoreWrite(insert, io.vertx.sqlclient.Tuple.of("unencodable", "seven")))));
    await(unencodable.otherwiseEmpty());
    await(appender.append(request("after", 1).withWrites(List.of(new StoreWrite(insert, io.vertx.sqlclient.Tuple.of("after", 1))))));

    assertTrue(unencodable.failed(), "the call fails");
    assertEquals(0L, count(tenant, "unencodable"), "none of its events were committed");
    assertEquals(1L, count(tenant, "after"), "the next call commits");
    assertEquals(1L, await(pool.query("SELECT count(*) FROM call_count").execute()).iterator().next().getLong(0));
  }

  private long count(UUID of, String requestId) {
    return await(pool.preparedQuery("SELECT count(*) FROM event WHERE tenant_locator = $1 AND request_id = $2")
        .execute(io.vertx.sqlclient.Tuple.of(of, requestId))).iterator().next().getLong(0);
  }

  private GroupCommitAppender deploy(StoreConfig store) {
    GroupCommitAppender appender = new GroupCommitAppender(pool, store);
    await(vertx.deployVerticle(appender));
    return appender;
  }

  private AppendRequest request(String requestId, int events) {
    List<NewEvent> list = IntStream.range(0, events)
        .mapToObj(i -> new NewEvent("test.event", new JsonObject().put("index", i)))
        .toList();
    return new AppendRequest(tenant, UUID.randomUUID(), requestId, list);
  }

  /** Rows written by one transaction share its xmin. */
  private List<Long> eventsPerTransaction() {
    return await(pool.preparedQuery(
            "SELECT count(*) AS n FROM event WHERE tenant_locator = $1 GROUP BY xmin::text::bigint")
        .execute(io.vertx.sqlclient.Tuple.of(tenant))
        .map(rows -> {
          List<Long> counts = new ArrayList<>();
          for (Row row : rows) {
            counts.add(row.getLong("n"));
          }
          return counts;
        }));
  }

  private long count() {
    return count(tenant);
  }

  private long count(UUID of) {
    return await(pool.preparedQuery("SELECT count(*) AS n FROM event WHERE tenant_locator = $1")
        .execute(io.vertx.sqlclient.Tuple.of(of))
        .map(rows -> rows.iterator().next().getLong("n")));
  }
}
