package io.tidemark.gateway;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.config.DatabaseUrl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real outages between the gateway and PostgreSQL: a {@link TcpProxy} on the gateway's database
 * URL resets and refuses connections (or stalls them) while clients keep sending requests.
 * Every answer must be a success or a 503 with {@code Retry-After} and a JSON body, never a 500,
 * and the gateway must serve again once the database is back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreOutageTest {

  private static final String HOOK = "67b62dffb7f5337f8a8237970bd0a467";
  private static final String LIST = "/event/" + DEMO_TENANT + "/events/list?pageSize=5";
  private static final String UNAVAILABLE = "The event store is unavailable; retry later";

  private TcpProxy proxy;
  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    DatabaseUrl db = DatabaseUrl.parse(TestDatabase.url());
    proxy = TcpProxy.to(db.host(), db.port());
    // Everything goes through the proxy: migrations, the reactive pool, Quartz's JDBC pool.
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), StoreOutageTest.class,
        // Six connections: the four list clients can be held in flight at once and leave two for the webhooks.
        c -> c.withDatabase(c.database().withUrl(proxy.url(c.database().url())).withPoolSize(6)));
    http = gateway.http();
    Response defined = http.post("/v2/events").as("admin", "admin-secret").body("""
        {"eventName": "Outage_Event", "actions": [], "fields": [{"name": "n", "type": "number"}]}""").send();
    assertEquals(201, defined.status(), defined::toString);
  }

  /** A test that failed mid-outage must not leave the next one without a database. */
  @BeforeEach
  void databaseReachable() {
    proxy.resume();
  }

  @AfterAll
  void stop() {
    try {
      gateway.close();
    } finally {
      proxy.close();
    }
  }

  @Test
  void under_load_a_cut_database_answers_503_with_retry_after_never_500_and_service_resumes() throws Exception {
    try (Load load = new Load(http, 8)) {
      Poll.until(() -> load.succeeded(Kind.WEBHOOK, Phase.BEFORE) >= 5 && load.succeeded(Kind.LIST, Phase.BEFORE) >= 5,
          "requests to succeed before the outage");

      // Requests in flight when the connections reset are the ones that met a "Connection reset":
      // a lock on the event table holds a list and an append in flight until the cut, so some always are.
      // (The append is the statement that starts "WITH batch": pg_stat_activity keeps only a query's first 1 KiB.)
      try (Connection blocker = jdbc()) {
        blocker.setAutoCommit(false);
        blocker.createStatement().execute("LOCK TABLE " + schema() + ".event IN ACCESS EXCLUSIVE MODE");
        Poll.until(() -> waitingOnEvent().stream().anyMatch(q -> q.startsWith("WITH bounds"))
            && waitingOnEvent().stream().anyMatch(q -> q.startsWith("WITH batch")),
            "a list and an append to wait on the event table");

        load.phase = Phase.OUTAGE;
        proxy.cut();
        blocker.rollback();
      }
      Poll.until(() -> load.unavailable(Kind.WEBHOOK) >= 10 && load.unavailable(Kind.LIST) >= 10,
          "webhooks and lists to answer 503 during the outage");

      load.phase = Phase.AFTER;
      proxy.resume();
      Poll.until(() -> load.succeeded(Kind.WEBHOOK, Phase.AFTER) >= 5 && load.succeeded(Kind.LIST, Phase.AFTER) >= 5,
          "requests to succeed again after the outage");
      load.stop();

      List<String> wrong = new ArrayList<>();
      for (Outcome o : load.outcomes) {
        String problem = o.problem();
        if (problem != null && wrong.size() < 10) {
          wrong.add(o.kind + " sent " + o.phase + ": " + problem);
        }
      }
      assertEquals(List.of(), wrong, () -> "every answer is a success or a 503 with Retry-After; answers by kind, "
          + "phase sent in and status: " + load.outcomes.stream().collect(Collectors.groupingBy(
              o -> o.kind + "/" + o.phase + "/" + o.status, TreeMap::new, Collectors.counting())));
    }
  }

  @Test
  void health_answers_503_with_retry_after_within_its_bound_while_the_database_hangs_and_200_once_it_is_back() {
    assertEquals(200, http.get("/health").send().status());

    proxy.stall();
    try {
      // The pool must have seen its connections go, or the check could fail fast on a dead one.
      Poll.until(() -> gateway.gateway().pool().size() == 0, "the pool to drop its reset connections");
      long started = System.nanoTime();
      Response down = http.get("/health").send();
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      assertEquals(503, down.status(), down::toString);
      assertEquals("1", down.header("Retry-After"));
      assertEquals(new JsonObject().put("status", "DOWN").put("checks", new JsonObject().put("database", "DOWN")), down.json());
      // The pool would wait 5 s (database.connectTimeoutSeconds) for a connection; the check gives up after 2 s.
      assertTrue(tookMillis >= 1900 && tookMillis < 4000, "answered after " + tookMillis + " ms");
    } finally {
      proxy.resume();
    }
    Poll.until(() -> http.get("/health").send().status() == 200, "health to answer 200 once the database is back");
    Response up = http.get("/health").send();
    assertEquals(new JsonObject().put("status", "UP").put("checks", new JsonObject().put("database", "UP")), up.json());
    assertEquals(null, up.header("Retry-After"));
  }

  @Test
  void health_answers_503_at_once_while_the_database_refuses_connections() {
    proxy.cut();
    try {
      long started = System.nanoTime();
      Response down = http.get("/health").send();
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(503, down.status(), down::toString);
      assertEquals("1", down.header("Retry-After"));
      assertTrue(tookMillis < 1900, "a refused connection needs no timeout; answered after " + tookMillis + " ms");
    } finally {
      proxy.resume();
    }
    Poll.until(() -> http.get("/health").send().status() == 200, "health to answer 200 once the database is back");
  }

  @Test
  void ready_names_the_database_and_migrations_down_while_the_database_refuses_connections_and_live_stays_up() {
    proxy.cut();
    try {
      Response ready = http.get("/health/ready").send();
      assertEquals(503, ready.status(), ready::toString);
      assertEquals("1", ready.header("Retry-After"));
      JsonObject checks = ready.json().getJsonObject("checks");
      assertEquals(new JsonObject().put("database", "DOWN").put("migrations", "DOWN").put("plugins", "UP").put("scheduler", "UP"),
          checks);
      assertEquals("DOWN", ready.json().getString("status"));
      assertEquals(200, http.get("/health/live").send().status());
    } finally {
      proxy.resume();
    }
    Poll.until(() -> http.get("/health/ready").send().status() == 200, "ready to answer 200 once the database is back");
  }

  private String schema() {
    return gateway.config().database().schema();
  }

  /** The statements waiting for a lock on this test's event table. */
  private List<String> waitingOnEvent() {
    try (Connection c = jdbc();
         ResultSet rows = c.createStatement().executeQuery("""
             SELECT a.query FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.relation = '%s.event'::regclass AND NOT l.granted""".formatted(schema()))) {
      List<String> queries = new ArrayList<>();
      while (rows.next()) {
        queries.add(rows.getString(1).strip());
      }
      return queries;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A connection to the database itself, not through the proxy. */
  private static Connection jdbc() throws SQLException {
    DatabaseUrl url = DatabaseUrl.parse(TestDatabase.url());
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }

  // ---- the load

  private enum Kind { WEBHOOK, LIST }

  private enum Phase { BEFORE, OUTAGE, AFTER }

  private record Outcome(Kind kind, Phase phase, int status, String retryAfter, String contentType, String body) {

    /** What is wrong with this answer, or {@code null}. */
    String problem() {
      if (status == 200) {
        return null;
      }
      if (status != 503) {
        return status + " " + body;
      }
      if (!"1".equals(retryAfter)) {
        return "503 without Retry-After: 1 (" + retryAfter + ")";
      }
      if (!"application/json".equals(contentType)) {
        return "503 with Content-Type " + contentType;
      }
      JsonObject expected = kind == Kind.WEBHOOK
          ? new JsonObject().putNull("data").put("warnings", new JsonArray())
              .put("errors", new JsonArray().add(new JsonObject().put("code", 503).put("message", UNAVAILABLE)))
          : new JsonObject().put("message", UNAVAILABLE).put("code", "STORE_UNAVAILABLE");
      try {
        return expected.equals(new JsonObject(body)) ? null : "503 with body " + body;
      } catch (RuntimeException notJson) {
        return "503 with a body that is not JSON: " + body;
      }
    }
  }

  /** Client threads sending webhooks and stream lists, half each, as fast as answers come. */
  private static final class Load implements AutoCloseable {

    final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    volatile Phase phase = Phase.BEFORE;
    private volatile boolean running = true;
    private final List<Thread> threads = new ArrayList<>();

    Load(Http http, int clients) {
      for (int i = 0; i < clients; i++) {
        Kind kind = i % 2 == 0 ? Kind.WEBHOOK : Kind.LIST;
        Thread thread = new Thread(() -> {
          int n = 0;
          while (running) {
            Phase sentIn = phase;
            Http.Request request = kind == Kind.WEBHOOK
                ? http.post("/v2/webhooks/" + HOOK + "/events").as("admin", "admin-secret")
                    .body("{\"event_name\": \"Outage_Event\", \"n\": " + n++ + "}")
                : http.get(LIST).as("reader", "reader-secret");
            try {
              Response r = request.send();
              outcomes.add(new Outcome(kind, sentIn, r.status(), r.header("Retry-After"), r.header("Content-Type"), r.body()));
            } catch (RuntimeException e) {
              outcomes.add(new Outcome(kind, sentIn, -1, null, null, e.toString()));
            }
          }
        }, "outage-load-" + kind + "-" + i);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }

    long succeeded(Kind kind, Phase sentIn) {
      return outcomes.stream().filter(o -> o.kind == kind && o.phase == sentIn && o.status == 200).count();
    }

    long unavailable(Kind kind) {
      return outcomes.stream().filter(o -> o.kind == kind && o.status == 503).count();
    }

    void stop() throws InterruptedException {
      running = false;
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(60));
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
