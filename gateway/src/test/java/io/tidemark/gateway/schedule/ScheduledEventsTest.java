package io.tidemark.gateway.schedule;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.OTHER_TENANT;
import static io.tidemark.gateway.TestPlugins.FIXTURE_OPERATIONS;
import static io.tidemark.gateway.config.Permission.EVENTS_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.TestPlugins;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.PluginsConfig;
import io.tidemark.gateway.config.RouteConfig;
import io.tidemark.gateway.config.SchedulingConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Scheduled events, failed jobs and the seed 003 schedule endpoints, on real Quartz in PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduledEventsTest {

  private static final String EVENTS = "/event/" + DEMO_TENANT + "/events";
  private static final String SCHEDULES = EVENTS + "/schedules";
  /** The user "admin" (test-config/gateway.yaml), who schedules every event here. */
  private static final String ADMIN_LOCATOR = "5f0c6f4e-1a2b-4c3d-8e9f-000000000001";

  private TestGateway gateway;
  private Http http;

  static GatewayConfig withFixture(GatewayConfig c) {
    return c
        .withPlugins(new PluginsConfig(TestPlugins.directoryWith(FIXTURE_OPERATIONS).toString(), 5_000, 8, 10, Map.of()))
        .withRoutes(List.of(
            new RouteConfig("POST", "/fixture/{tenantLocator}/schedule", FIXTURE_OPERATIONS + ":schedule", EVENTS_WRITE, null),
            new RouteConfig("POST", "/fixture/{tenantLocator}/heal", FIXTURE_OPERATIONS + ":heal", EVENTS_WRITE, null)))
        // Retries 400 ms then 800 ms apart, three attempts: slow enough to see "queued", quick to "quit".
        .withScheduling(new SchedulingConfig(2, "fire-now", 400, 2000, 3, 1000));
  }

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.testConfig(), ScheduledEventsTest.class, ScheduledEventsTest::withFixture);
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void a_tenant_event_without_a_handler_is_appended_when_it_fires() {
    String label = UUID.randomUUID().toString();
    Response scheduled = schedule(http, "event=fixture.ping&delayMs=300&label=" + label);
    JsonObject event = awaitEvent(http, "fixture.ping", label);
    assertEquals(new JsonObject().put("label", label), event.getJsonObject("data"));
    assertNotEquals(scheduled.header("X-Request-Id"), event.getString("requestId"), "a firing has a request id of its own");
    assertEquals(ADMIN_LOCATOR, event.getString("userLocator"), "the firing's event is the scheduling user's");
  }

  @Test
  void a_schedule_from_before_schedules_kept_their_user_fires_as_the_tenants_derived_user() {
    String label = UUID.randomUUID().toString();
    String trigger = schedule(http, "event=fixture.ping&delayMs=" + QuartzClock.FAR_MILLIS + "&label=" + label)
        .json().getString("triggerName");
    // What a row written before migration V7 looks like: no user.
    TestGateway.await(gateway.gateway().pool().preparedQuery("UPDATE schedule SET user_locator = NULL WHERE trigger_name = $1")
        .execute(io.vertx.sqlclient.Tuple.of(trigger)));
    QuartzClock.fireNow(gateway.gateway().pool(), trigger);
    // MD5 of "tidemark-tenant:" + the demo tenant's locator, version 3 (docs/scheduling.md).
    assertEquals(UUID.nameUUIDFromBytes(("tidemark-tenant:" + DEMO_TENANT).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString(),
        awaitEvent(http, "fixture.ping", label).getString("userLocator"));
  }

  @Test
  void a_policy_schedule_is_normal_until_it_fires_and_complete_after() {
    String policy = "pol-" + UUID.randomUUID();
    String label = UUID.randomUUID().toString();
    // Far in the future, so that it is surely NORMAL when we look; then made due (QuartzClock).
    Response scheduled = schedule(http, "event=policy.reminder&delayMs=" + QuartzClock.FAR_MILLIS + "&policy=" + policy + "&label=" + label);
    JsonArray before = policySchedules(policy);
    assertEquals(1, before.size());
    JsonObject entry = before.getJsonObject(0);
    assertEquals("NORMAL", entry.getString("triggerState"));
    assertEquals(policy, entry.getString("policyLocator"));
    assertEquals("policy.reminder", entry.getString("customEventId"));
    assertEquals(scheduled.header("X-Request-Id"), entry.getString("transactionLocator"));
    assertEquals(scheduled.json().getString("triggerName"), entry.getString("triggerName"));
    assertEquals(DEMO_TENANT, entry.getString("triggerGroup"));
    assertTrue(Instant.parse(entry.getString("nextEventTime")).isAfter(Instant.now()), entry::encode);
    assertEquals(0, eventsLabelled(http, "policy.reminder", label), "nothing fired before it was due");

    QuartzClock.fireNow(gateway.gateway().pool(), entry.getString("triggerName"));
    JsonObject event = awaitEvent(http, "policy.reminder", label);
    assertEquals(policy, event.getJsonObject("data").getString("policyLocator"));
    JsonObject after = Poll.until(() -> {
      JsonObject e = policySchedules(policy).getJsonObject(0);
      return e.getString("triggerState").equals("COMPLETE") ? e : null;
    }, "the schedule completes");
    assertNull(after.getValue("nextEventTime"));
  }

  @Test
  void a_handler_runs_when_its_event_fires() {
    String label = UUID.randomUUID().toString();
    Response scheduled = schedule(http, "event=fixture.handled&delayMs=200&policy=p-7&label=" + label);
    JsonObject event = awaitEvent(http, "fixture.handled_firing", label);
    assertEquals(scheduled.header("X-Request-Id"), event.getJsonObject("data").getString("transactionLocator"));
    assertEquals("p-7", event.getJsonObject("data").getString("policyLocator"));
    assertEquals(ADMIN_LOCATOR, event.getString("userLocator"), "a handler's events are the scheduling user's");
  }

  @Test
  void a_failing_handler_is_queued_retried_quits_and_can_be_resumed_or_deleted() {
    // A tenant event and a policy event that both fail.
    String tenantLabel = UUID.randomUUID().toString();
    String tenantJob = schedule(http, "event=fixture.flaky&label=" + tenantLabel).json().getString("triggerName");
    String policy = "pol-" + UUID.randomUUID();
    String policyLabel = UUID.randomUUID().toString();
    String policyJob = schedule(http, "event=fixture.flaky&policy=" + policy + "&label=" + policyLabel).json().getString("triggerName");

    Poll.until(() -> failedJob("/failed/queued/list", tenantJob), "the failure is queued for a retry");
    JsonObject quit = Poll.until(() -> failedJob("/failed/quit/list", tenantJob), "after three attempts it quits");
    assertEquals(3, quit.getInteger("failureCount"));
    assertEquals(DEMO_TENANT, quit.getString("triggerGroup"));
    assertEquals(Set.of("triggerName", "failedJobState", "failureCount", "triggerGroup", "updatedAt", "createdAt"), quit.fieldNames());
    assertTrue(Instant.parse(quit.getString("updatedAt")).isAfter(Instant.parse(quit.getString("createdAt"))));
    assertEquals(List.of(1, 2, 3), attempts(tenantLabel), "each attempt's events are kept");

    // The lists: tenant events, the policy's, and all.
    Poll.until(() -> failedJob("/failed/quit/list", policyJob), "the policy job quits too");
    assertTrue(ids(get(SCHEDULES + "/tenant/failed/list")).contains(tenantJob));
    assertTrue(!ids(get(SCHEDULES + "/tenant/failed/list")).contains(policyJob));
    assertEquals(List.of(policyJob), ids(get(SCHEDULES + "/policy/" + policy + "/failed/list")));
    assertTrue(ids(get(SCHEDULES + "/failed/list")).containsAll(List.of(tenantJob, policyJob)));
    assertEquals(1, get(SCHEDULES + "/failed/list?offset=0&count=1").jsonArray().size());

    // Delete one: its record goes, and so does its trigger.
    Response deleted = failedJobCall("DELETE", "/failed", policyJob, DEMO_TENANT);
    assertEquals(204, deleted.status(), deleted::toString);
    assertTrue(!ids(get(SCHEDULES + "/failed/list")).contains(policyJob));
    assertEquals("NONE", policySchedules(policy).getJsonObject(0).getString("triggerState"));
    assertEquals(404, failedJobCall("DELETE", "/failed", policyJob, DEMO_TENANT).status());

    // Resume the other once the handler works: it runs again and its failure record clears.
    assertEquals(204, http.post("/fixture/" + DEMO_TENANT + "/heal").as("admin", "admin-secret").send().status());
    Response resumed = failedJobCall("POST", "/failed/resume", tenantJob, DEMO_TENANT);
    assertEquals(204, resumed.status(), resumed::toString);
    Poll.until(() -> !ids(get(SCHEDULES + "/failed/list")).contains(tenantJob), "the resumed job succeeds");
    assertEquals(List.of(1, 2, 3, 4), attempts(tenantLabel));
  }

  @Test
  void bad_schedule_requests_are_4xx_naming_what_is_wrong() {
    assertBadParameter(get(SCHEDULES + "/failed/done/list"), "failedJobState");
    assertBadParameter(get(SCHEDULES + "/failed/list?offset=-1"), "offset");
    assertBadParameter(get(SCHEDULES + "/failed/list?count=1001"), "count");
    assertBadParameter(get(SCHEDULES + "/tenant/failed/list?count=ten"), "count");
    Response noGroup = http.post(SCHEDULES + "/failed/resume").as("admin", "admin-secret").body("{\"triggerName\":\"x\"}").send();
    assertEquals(400, noGroup.status());
    assertTrue(noGroup.json().getString("message").contains("triggerGroup"), noGroup::toString);
    assertEquals(400, http.method("DELETE", SCHEDULES + "/failed").as("admin", "admin-secret").body("not json").send().status());
    assertEquals(404, failedJobCall("POST", "/failed/resume", "no-such-job", DEMO_TENANT).status());
    assertEquals(404, failedJobCall("POST", "/failed/resume", "no-such-job", OTHER_TENANT).status());
    assertEquals(403, http.post(SCHEDULES + "/failed/resume").as("reader", "reader-secret")
        .body(new JsonObject().put("triggerName", "x").put("triggerGroup", DEMO_TENANT).encode()).send().status());
    assertEquals(403, http.get(SCHEDULES + "/failed/list").as("other", "other-secret").send().status());
    assertEquals(401, http.get(SCHEDULES + "/failed/list").send().status());
    assertEquals(200, http.get(SCHEDULES + "/failed/list").as("reader", "reader-secret").send().status());
  }

  @Test
  void a_schedule_survives_a_restart_and_fires_once() {
    String schema = TestDatabase.newSchema(ScheduledEventsTest.class);
    GatewayConfig config = withFixture(TestGateway.load(TestGateway.testConfig(), schema));
    String label = UUID.randomUUID().toString();
    try {
      String trigger;
      try (TestGateway before = TestGateway.start(config)) {
        // Not due before the restart, however long start and stop take: the restarted instance fires it.
        trigger = schedule(before.http(), "event=fixture.restart&delayMs=" + QuartzClock.FAR_MILLIS + "&label=" + label)
            .json().getString("triggerName");
        QuartzClock.awaitTrigger(before.gateway().pool(), trigger);
      }
      try (TestGateway after = TestGateway.start(config)) {
        assertEquals(0, eventsLabelled(after.http(), "fixture.restart", label), "it did not fire before the restart");
        QuartzClock.fireNow(after.gateway().pool(), trigger);
        awaitEvent(after.http(), "fixture.restart", label);
        // Fired and recorded complete: no second firing can follow.
        Poll.until(() -> TestGateway.await(after.gateway().pool().preparedQuery(
                "SELECT count(*) FROM schedule WHERE trigger_name = $1 AND completed_at IS NOT NULL")
            .execute(io.vertx.sqlclient.Tuple.of(trigger))).iterator().next().getLong(0) == 1, "the schedule completes");
        assertEquals(1, eventsLabelled(after.http(), "fixture.restart", label));
      }
    } finally {
      TestDatabase.dropSchema(schema);
    }
  }

  @Test
  void with_two_instances_on_one_database_each_firing_runs_exactly_once() {
    try (TestGateway first = TestGateway.startInFreshSchema(TestGateway.testConfig(), ScheduledEventsTest.class,
        ScheduledEventsTest::withFixture); TestGateway second = first.anotherInstance()) {
      String run = UUID.randomUUID().toString().substring(0, 8);
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String label = run + "-" + i;
        labels.add(label);
        schedule((i % 2 == 0 ? first : second).http(), "event=fixture.clustered&delayMs=" + (1000 + 100 * i) + "&label=" + label);
      }
      Map<String, Integer> counts = Poll.until(() -> {
        Map<String, Integer> seen = countByLabel(first.http(), "fixture.clustered");
        return seen.keySet().containsAll(labels) ? seen : null;
      }, "every schedule fires");
      for (String label : labels) {
        assertEquals(1, counts.get(label), label + " fired once");
      }
      // Both gateways are nodes of one Quartz cluster (what takes over a dead node's firings).
      long nodes = TestGateway.await(first.gateway().pool()
          .query("SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = 'tidemark-" + first.config().database().schema() + "'")
          .execute()).iterator().next().getLong(0);
      assertEquals(2, nodes);
    }
  }

  // ---- helpers

  private static Response schedule(Http http, String query) {
    Response r = http.post("/fixture/" + DEMO_TENANT + "/schedule?" + query).as("admin", "admin-secret").send();
    assertEquals(201, r.status(), r::toString);
    return r;
  }

  private Response get(String path) {
    return http.get(path).as("admin", "admin-secret").send();
  }

  private JsonArray policySchedules(String policy) {
    Response r = get(SCHEDULES + "/policy/" + policy);
    assertEquals(200, r.status(), r::toString);
    return r.jsonArray();
  }

  private Response failedJobCall(String method, String path, String name, String group) {
    return http.method(method, SCHEDULES + path).as("admin", "admin-secret")
        .body(new JsonObject().put("triggerName", name).put("triggerGroup", group).encode()).send();
  }

  private JsonObject failedJob(String list, String triggerName) {
    return get(SCHEDULES + list + "?count=1000").jsonArray().stream().map(o -> (JsonObject) o)
        .filter(j -> j.getString("triggerName").equals(triggerName)).findFirst().orElse(null);
  }

  private static List<String> ids(Response r) {
    assertEquals(200, r.status(), r::toString);
    return r.jsonArray().stream().map(o -> ((JsonObject) o).getString("triggerName")).toList();
  }

  private List<Integer> attempts(String label) {
    return allOfType(http, "fixture.flaky_attempted").stream()
        .filter(e -> label.equals(e.getJsonObject("data").getString("label")))
        .map(e -> e.getJsonObject("data").getInteger("attempt")).toList();
  }

  static JsonObject awaitEvent(Http http, String type, String label) {
    return Poll.until(() -> allOfType(http, type).stream()
        .filter(e -> label.equals(e.getJsonObject("data").getString("label"))).findFirst().orElse(null), type + " " + label + " fires");
  }

  private static int eventsLabelled(Http http, String type, String label) {
    return countByLabel(http, type).getOrDefault(label, 0);
  }

  private static Map<String, Integer> countByLabel(Http http, String type) {
    Map<String, Integer> counts = new HashMap<>();
    for (JsonObject e : allOfType(http, type)) {
      counts.merge(e.getJsonObject("data").getString("label"), 1, Integer::sum);
    }
    return counts;
  }

  private static List<JsonObject> allOfType(Http http, String type) {
    Response r = http.get(EVENTS + "/list?pageSize=1000&type=" + type).as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    List<JsonObject> events = new ArrayList<>();
    r.json().getJsonArray("events").forEach(e -> events.add((JsonObject) e));
    return events;
  }

  private static void assertBadParameter(Response r, String parameter) {
    assertEquals(400, r.status(), r::toString);
    assertTrue(r.json().getString("message").startsWith("Invalid parameter '" + parameter + "'"), r::toString);
  }

}
