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
import io.tidemark.gateway.http.ApiException;
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
    assertInstanceOf(ApiException.class, late.getCause());
    assertEquals(503, ((ApiException) late.getCause()).status());
  }

  @Test
  void tenants_in_one_batch_each_keep_their_own_positions() {
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 50));
    UUID second = UUID.randomUUID();
    Future<List<StoredEvent>> a = appender.append(request("a", 2));
    Future<List<StoredEvent>> b = appender.append(new AppendRequest(second, null, "b", List.of(new NewEvent("x", null))));
    Future<List<StoredEvent>> c = appender.append(request("c", 1));
    await(Future.all(a, b, c));
    assertEquals(List.of(1L, 2L), await(a).stream().map(StoredEvent::position).toList());
    assertEquals(List.of(1L), await(b).stream().map(StoredEvent::position).toList());
    assertEquals(List.of(3L), await(c).stream().map(StoredEvent::position).toList());
  }

  @Test
  void an_empty_append_commits_nothing() {
    GroupCommitAppender appender = deploy(new StoreConfig(1000, 0));
    assertEquals(List.of(), await(appender.append(new AppendRequest(tenant, null, "r", List.of()))));
    assertEquals(0L, count());
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
    return await(pool.preparedQuery("SELECT count(*) AS n FROM event WHERE tenant_locator = $1")
        .execute(io.vertx.sqlclient.Tuple.of(tenant))
        .map(rows -> rows.iterator().next().getLong("n")));
  }
}
