package io.tidemark.gateway.schedule;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tidemark.gateway.ApiRouter;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.http.HealthRoutes;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.PasswordCheck;
import io.tidemark.gateway.store.Database;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The schedule outbox: a call's schedules commit with its outcome, and only then become Quartz
 * jobs, exactly once. The outbox worker is off here ({@code outboxPollMillis: 0}) so that each
 * test syncs by hand and can look at the moment in between.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleOutboxTest {

  private static final String EVENTS = "/event/" + DEMO_TENANT + "/events";
  private static final String SCHEDULES = EVENTS + "/schedules";

  private TestGateway gateway;
  private Http http;

  private static GatewayConfig byHand(GatewayConfig c) {
    GatewayConfig fixture = ScheduledEventsTest.withFixture(c);
    return fixture.withScheduling(fixture.scheduling().withOutboxPollMillis(0));
  }

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.testConfig(), ScheduleOutboxTest.class, ScheduleOutboxTest::byHand);
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void a_successful_calls_schedule_is_listed_at_once_and_becomes_one_job_when_the_outbox_syncs() throws Exception {
    String policy = "pol-" + UUID.randomUUID();
    String label = UUID.randomUUID().toString();
    Instant before = Instant.now();
    Response scheduled = schedule(http, "event=fixture.synced&delayMs=1500&policy=" + policy + "&label=" + label, 201);
    String name = scheduled.json().getString("triggerName");

    // Listed from its row as soon as the call answered, before any Quartz job exists.
    JsonArray listed = policySchedules(policy);
    assertEquals(1, listed.size(), listed::encode);
    JsonObject entry = listed.getJsonObject(0);
    assertEquals("NORMAL", entry.getString("triggerState"));
    assertEquals(name, entry.getString("triggerName"));
    assertEquals(scheduled.header("X-Request-Id"), entry.getString("transactionLocator"));
    Instant next = Instant.parse(entry.getString("nextEventTime"));
    assertEquals(true, next.isAfter(before.plusMillis(1400)) && next.isBefore(Instant.now().plusMillis(1600)), entry::encode);
    assertEquals(0, jobs(gateway, name));

    gateway.gateway().scheduling().syncOutboxNow();
    assertEquals(1, jobs(gateway, name));
    assertEquals(0, gateway.gateway().scheduling().syncOutboxNow(), "a synced row is not synced again");
    assertEquals(1, jobs(gateway, name));

    ScheduledEventsTest.awaitEvent(http, "fixture.synced", label);
    Poll.until(() -> "COMPLETE".equals(policySchedules(policy).getJsonObject(0).getString("triggerState")), "the schedule completes");
    assertEquals(1, labelled(http, "fixture.synced").get(label));
  }

  @Test
  void a_backlog_syncs_earliest_start_first_so_a_schedule_due_soon_does_not_wait_behind_it() throws Exception {
    try (TestGateway g = TestGateway.startInFreshSchema(TestGateway.testConfig(), ScheduleOutboxTest.class,
        ScheduleOutboxTest::byHand)) {
      // A backlog of one batch of schedules due in a year, made first; then one due in a minute.
      await(g.gateway().pool().preparedQuery("""
              INSERT INTO schedule (trigger_name, tenant_locator, custom_event_id, transaction_locator, data, created_at, start_at)
              SELECT 'later-' || i, $1, 'fixture.later', 'req', '{}', clock_timestamp(), clock_timestamp() + interval '365 days'
                FROM generate_series(1, $2) AS i""")
          .execute(Tuple.of(UUID.fromString(DEMO_TENANT), ScheduleOutbox.BATCH)));
      await(g.gateway().pool().preparedQuery("""
              INSERT INTO schedule (trigger_name, tenant_locator, custom_event_id, transaction_locator, data, created_at, start_at)
              VALUES ('soon', $1, 'fixture.soon', 'req', '{}', clock_timestamp(), clock_timestamp() + interval '1 minute')""")
          .execute(Tuple.of(UUID.fromString(DEMO_TENANT))));

      assertEquals(ScheduleOutbox.BATCH + 1, g.gateway().scheduling().syncOutboxNow());
      // Each batch marks its rows with one clock reading: the soon one went in the first batch,
      // and a schedule due in a year waited for the second.
      assertEquals(1L, count(g, """
          SELECT count(*) FROM schedule
           WHERE synced_at > (SELECT synced_at FROM schedule WHERE trigger_name = 'soon')"""));
    }
  }

  @Test
  void with_two_instances_on_one_schema_every_schedule_becomes_one_job_and_fires_once() throws Exception {
    try (TestGateway first = TestGateway.startInFreshSchema(TestGateway.testConfig(), ScheduleOutboxTest.class,
        ScheduleOutboxTest::byHand); TestGateway second = first.anotherInstance()) {
      String run = UUID.randomUUID().toString().substring(0, 8);
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String label = run + "-" + i;
        labels.add(label);
        schedule((i % 2 == 0 ? first : second).http(), "event=fixture.twice&delayMs=2500&label=" + label, 201);
      }
      // Both outboxes at once, on the same rows.
      CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> sync(first));
      CompletableFuture<Integer> b = CompletableFuture.supplyAsync(() -> sync(second));
      assertEquals(30, a.get() + b.get(), "each row synced by exactly one of them");
      assertEquals(30L, count(first, "SELECT count(*) FROM qrtz_triggers WHERE trigger_group = $1", DEMO_TENANT));
      assertEquals(0L, count(first, "SELECT count(*) FROM schedule WHERE synced_at IS NULL"));

      Map<String, Integer> counts = Poll.until(() -> {
        Map<String, Integer> seen = labelled(first.http(), "fixture.twice");
        return seen.keySet().containsAll(labels) ? seen : null;
      }, "every schedule fires");
      for (String label : labels) {
        assertEquals(1, counts.get(label), label + " fired once");
      }
    }
  }

  @Test
  void a_failed_operation_keeps_its_events_but_leaves_no_schedule() throws Exception {
    String label = UUID.randomUUID().toString();
    Response failed = schedule(http, "event=fixture.never&delayMs=0&emit=fixture.before_failure&fail=true&label=" + label, 409);
    String requestId = failed.header("X-Request-Id");

    assertEquals(1, count(gateway, "SELECT count(*) FROM event WHERE request_id = $1 AND type = 'fixture.before_failure'", requestId),
        "the failed call's event is kept");
    assertEquals(0, count(gateway, "SELECT count(*) FROM schedule WHERE transaction_locator = $1", requestId));
    gateway.gateway().scheduling().syncOutboxNow();
    assertEquals(0, count(gateway, "SELECT count(*) FROM qrtz_job_details j JOIN schedule s ON s.trigger_name = j.job_name"
        + " WHERE s.custom_event_id = 'fixture.never'"));
  }

  @Test
  void a_call_whose_append_fails_leaves_neither_its_events_nor_its_schedule() throws Exception {
    refuseEventsOfType("fixture.refused_call");
    try {
      Response refused = schedule(http, "event=fixture.orphan&delayMs=0&emit=fixture.refused_call", 400);
      String requestId = refused.header("X-Request-Id");
      assertEquals(0, count(gateway, "SELECT count(*) FROM event WHERE request_id = $1", requestId));
      assertEquals(0, count(gateway, "SELECT count(*) FROM schedule WHERE transaction_locator = $1", requestId));
      gateway.gateway().scheduling().syncOutboxNow();
      assertEquals(0, count(gateway, "SELECT count(*) FROM schedule WHERE custom_event_id = 'fixture.orphan'"));
    } finally {
      allowEvents();
    }
  }

  @Test
  void a_firing_whose_append_fails_is_a_failed_job_that_is_retried_quits_and_can_be_resumed() throws Exception {
    String label = UUID.randomUUID().toString();
    refuseEventsOfType("fixture.refused_firing");
    String name;
    try {
      // No handler: the gateway appends an event of the schedule's own type, which PostgreSQL refuses.
      name = schedule(http, "event=fixture.refused_firing&delayMs=0&label=" + label, 201).json().getString("triggerName");
      gateway.gateway().scheduling().syncOutboxNow();
      JsonObject queued = Poll.until(() -> failedJob("/failed/queued/list", name), "the failure is queued for a retry");
      assertEquals(DEMO_TENANT, queued.getString("triggerGroup"));
      JsonObject quit = Poll.until(() -> failedJob("/failed/quit/list", name), "after three attempts it quits");
      assertEquals(3, quit.getInteger("failureCount"));
      assertEquals(0, labelled(http, "fixture.refused_firing").size());
    } finally {
      allowEvents();
    }
    Response resumed = http.post(SCHEDULES + "/failed/resume").as("admin", "admin-secret")
        .body(new JsonObject().put("triggerName", name).put("triggerGroup", DEMO_TENANT).encode()).send();
    assertEquals(204, resumed.status(), resumed::toString);
    ScheduledEventsTest.awaitEvent(http, "fixture.refused_firing", label);
    Poll.until(() -> failedJob("/failed/list", name) == null, "the resumed job's failure clears");
  }

  @Test
  void a_cancel_commits_with_its_call_and_a_failed_calls_cancel_is_discarded() throws Exception {
    String policy = "pol-" + UUID.randomUUID();
    String name = schedule(http, "event=fixture.cancelled&delayMs=600000&policy=" + policy, 201).json().getString("triggerName");
    gateway.gateway().scheduling().syncOutboxNow();
    assertEquals(1, jobs(gateway, name));

    schedule(http, "cancel=" + name + "&fail=true", 409);
    assertEquals("NORMAL", policySchedules(policy).getJsonObject(0).getString("triggerState"));
    gateway.gateway().scheduling().syncOutboxNow();
    assertEquals(1, jobs(gateway, name), "a failed call's cancel is dropped");

    assertEquals(new JsonObject().put("cancelled", true), schedule(http, "cancel=" + name, 200).json());
    JsonObject entry = policySchedules(policy).getJsonObject(0);
    assertEquals("NONE", entry.getString("triggerState"), "cancelled as soon as the call answered");
    assertNull(entry.getValue("nextEventTime"));
    gateway.gateway().scheduling().syncOutboxNow();
    assertEquals(0, jobs(gateway, name), "the outbox deletes the cancelled schedule's job");
    assertEquals(new JsonObject().put("cancelled", false), schedule(http, "cancel=" + name, 200).json());
    assertEquals(new JsonObject().put("cancelled", false), schedule(http, "cancel=no-such-schedule", 200).json());
  }

  @Test
  void the_schedule_endpoints_answer_503_with_retry_after_when_the_store_is_down() {
    Vertx vertx = Vertx.vertx();
    GatewayConfig config = gateway.config();
    // A real pool pointed at a port nothing listens on: the store is down, not mocked.
    Pool down = Database.pool(vertx, config.database().withUrl("postgresql://tidemark:x@127.0.0.1:1/tidemark"));
    try {
      PasswordCheck passwords = PasswordCheck.load(vertx, config.security(), Access.callers(config));
      ScheduleQueries queries = new ScheduleQueries(vertx, new ScheduleStore(down), null);
      HttpServer server = await(vertx.createHttpServer()
          .requestHandler(ApiRouter.create(vertx, 4096, passwords, new HealthRoutes(down), List.of(new ScheduleRoutes(queries))))
          .listen(0));
      Http broken = new Http("http://127.0.0.1:" + server.actualPort());
      String job = new JsonObject().put("triggerName", "x").put("triggerGroup", DEMO_TENANT).encode();
      List<Response> answers = List.of(
          broken.get(SCHEDULES + "/policy/p-1").as("reader", "reader-secret").send(),
          broken.get(SCHEDULES + "/failed/list").as("reader", "reader-secret").send(),
          broken.post(SCHEDULES + "/failed/resume").as("admin", "admin-secret").body(job).send(),
          broken.method("DELETE", SCHEDULES + "/failed").as("admin", "admin-secret").body(job).send());
      for (Response r : answers) {
        assertEquals(503, r.status(), r::toString);
        assertEquals("1", r.header("Retry-After"), r::toString);
        assertEquals(new JsonObject().put("message", "The event store is unavailable; retry later").put("code", "STORE_UNAVAILABLE"),
            r.json());
      }
    } finally {
      await(down.close());
      await(vertx.close());
    }
  }

  // ---- helpers

  private static Response schedule(Http http, String query, int status) {
    Response r = http.post("/fixture/" + DEMO_TENANT + "/schedule?" + query).as("admin", "admin-secret").send();
    assertEquals(status, r.status(), r::toString);
    assertNotNull(r.header("X-Request-Id"));
    return r;
  }

  private static int sync(TestGateway g) {
    try {
      return g.gateway().scheduling().syncOutboxNow();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonArray policySchedules(String policy) {
    Response r = http.get(SCHEDULES + "/policy/" + policy).as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.jsonArray();
  }

  private JsonObject failedJob(String list, String triggerName) {
    Response r = http.get(SCHEDULES + list + "?count=1000").as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.jsonArray().stream().map(o -> (JsonObject) o)
        .filter(j -> j.getString("triggerName").equals(triggerName)).findFirst().orElse(null);
  }

  private static long jobs(TestGateway g, String triggerName) {
    return count(g, "SELECT count(*) FROM qrtz_job_details WHERE job_name = $1", triggerName);
  }

  private static long count(TestGateway g, String sql, Object... params) {
    return await(g.gateway().pool().preparedQuery(sql).execute(Tuple.from(params))).iterator().next().getLong(0);
  }

  /** PostgreSQL itself refuses events of that type: an append that fails with the database up. */
  private void refuseEventsOfType(String type) {
    TestDatabase.execute("ALTER TABLE " + gateway.config().database().schema() + ".event ADD CONSTRAINT refused_in_test"
        + " CHECK (type <> '" + type + "') NOT VALID");
  }

  private void allowEvents() {
    TestDatabase.execute("ALTER TABLE " + gateway.config().database().schema() + ".event DROP CONSTRAINT refused_in_test");
  }

  private static Map<String, Integer> labelled(Http http, String type) {
    Response r = http.get(EVENTS + "/list?pageSize=1000&type=" + type).as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    Map<String, Integer> counts = new HashMap<>();
    r.json().getJsonArray("events").forEach(e -> counts.merge(((JsonObject) e).getJsonObject("data").getString("label"), 1, Integer::sum));
    return counts;
  }
}
