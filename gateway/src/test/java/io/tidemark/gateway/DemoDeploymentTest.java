package io.tidemark.gateway;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.OTHER_TENANT;
import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.schedule.QuartzClock;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.gateway.store.StoredEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped config/ as `bin/tidemark run` serves it: the demo users of contract §1 on the stream endpoints. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoDeploymentTest {

  private TestGateway gateway;
  private StoredEvent demoEvent;
  private StoredEvent otherEvent;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), DemoDeploymentTest.class);
    demoEvent = append(DEMO_TENANT);
    otherEvent = append(OTHER_TENANT);
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @ParameterizedTest(name = "{0} on {1}/{2}: {3}")
  @CsvSource({
      "admin,  demo,  event,   200", "admin,  demo,  request, 200", "admin,  demo,  list, 200",
      "reader, demo,  event,   200", "reader, demo,  request, 200", "reader, demo,  list, 200",
      "other,  demo,  event,   403", "other,  demo,  request, 403", "other,  demo,  list, 403",
      "other,  other, event,   200", "other,  other, request, 200", "other,  other, list, 200",
      "admin,  other, list,    403", "reader, other, event,   403"})
  void demo_users_get_the_contracts_statuses(String user, String tenant, String endpoint, int status) {
    boolean demo = tenant.equals("demo");
    StoredEvent event = demo ? demoEvent : otherEvent;
    String base = "/event/" + (demo ? DEMO_TENANT : OTHER_TENANT) + "/events";
    String path = switch (endpoint) {
      case "event" -> base + "/" + event.locator();
      case "request" -> base + "/request/" + event.requestId();
      default -> base + "/list";
    };
    Http.Response r = gateway.http().get(path).as(user, user + "-secret").send();
    assertEquals(status, r.status(), r::toString);
  }

  @Test
  void demo_credentials_with_a_wrong_password_get_401() {
    assertEquals(401, gateway.http().get("/event/" + DEMO_TENANT + "/events/list").as("admin", "reader-secret").send().status());
  }

  // ---- the policy-lifecycle plugin on the demo route

  @Test
  void a_valid_policy_is_issued_with_its_events_in_order() {
    Http.Response r = issue(policy("home", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 120.5));
    assertEquals(201, r.status(), r::toString);
    String policyLocator = r.json().getString("policyLocator");
    assertEquals(new JsonObject().put("policyLocator", policyLocator), r.json());

    JsonArray events = eventsOf(r.header("X-Request-Id"));
    assertEquals(2, events.size());
    assertEquals("policy.underwriting_checked", events.getJsonObject(0).getString("type"));
    assertEquals(new JsonObject().put("decision", "accept").put("reasons", new JsonArray()), events.getJsonObject(0).getJsonObject("data"));
    assertEquals("policy.issued", events.getJsonObject(1).getString("type"));
    assertEquals(new JsonObject().put("policyLocator", policyLocator).put("productName", "home")
        .put("startTime", "2026-01-01T00:00:00Z").put("endTime", "2027-01-01T00:00:00Z").put("premium", 120.5),
        events.getJsonObject(1).getJsonObject("data"));
    assertEquals("5f0c6f4e-1a2b-4c3d-8e9f-000000000001", events.getJsonObject(1).getString("userLocator"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "premium zero        | {\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2027-01-01T00:00:00Z\",\"premium\":0} | premium must be greater than 0",
      "premium negative    | {\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2027-01-01T00:00:00Z\",\"premium\":-5} | premium must be greater than 0",
      "end before start    | {\"productName\":\"home\",\"startTime\":\"2027-01-01T00:00:00Z\",\"endTime\":\"2026-01-01T00:00:00Z\",\"premium\":10} | endTime must be after startTime",
      "end equals start    | {\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2026-01-01T00:00:00Z\",\"premium\":10} | endTime must be after startTime",
      "missing productName | {\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2027-01-01T00:00:00Z\",\"premium\":10} | productName is missing",
      "mistyped premium    | {\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2027-01-01T00:00:00Z\",\"premium\":\"ten\"} | premium must be a number",
      "bad date            | {\"productName\":\"home\",\"startTime\":\"yesterday\",\"endTime\":\"2027-01-01T00:00:00Z\",\"premium\":10} | startTime must be an ISO-8601 date-time",
      "no body             | '' | the body must be a JSON object"})
  void an_invalid_policy_is_422_and_leaves_exactly_its_underwriting_event(String label, String body, String reason) {
    Http.Response r = issue(body);
    assertEquals(422, r.status(), r::toString);
    assertEquals("POLICY_REJECTED", r.json().getString("code"));
    assertTrue(r.json().getString("message").startsWith("Policy rejected: ") && r.json().getString("message").contains(reason),
        r::toString);
    JsonArray events = eventsOf(r.header("X-Request-Id"));
    assertEquals(1, events.size(), events::encode);
    assertEquals("policy.underwriting_checked", events.getJsonObject(0).getString("type"));
    assertEquals("reject", events.getJsonObject(0).getJsonObject("data").getString("decision"));
    assertTrue(events.getJsonObject(0).getJsonObject("data").getJsonArray("reasons").encode().contains(reason), events::encode);
  }

  @Test
  void issuing_needs_events_write_in_the_tenant() {
    String body = policy("home", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 10);
    assertEquals(403, gateway.http().post("/policy/" + DEMO_TENANT + "/policies").as("reader", "reader-secret").body(body).send().status());
    assertEquals(403, gateway.http().post("/policy/" + DEMO_TENANT + "/policies").as("other", "other-secret").body(body).send().status());
    assertEquals(401, gateway.http().post("/policy/" + DEMO_TENANT + "/policies").body(body).send().status());
    assertEquals(201, gateway.http().post("/policy/" + OTHER_TENANT + "/policies").as("other", "other-secret").body(body).send().status());
  }

  @Test
  void an_issued_policy_schedules_its_expiry_which_fires_at_its_end_time() {
    // Far in the future, so that it is surely NORMAL when we look; then made due (QuartzClock).
    Instant end = Instant.now().plusMillis(QuartzClock.FAR_MILLIS);
    Http.Response r = issue(policy("travel", Instant.now().minusSeconds(60).toString(), end.toString(), 30));
    assertEquals(201, r.status(), r::toString);
    String policyLocator = r.json().getString("policyLocator");
    String schedules = "/event/" + DEMO_TENANT + "/events/schedules/policy/" + policyLocator;

    JsonArray before = gateway.http().get(schedules).as("reader", "reader-secret").send().jsonArray();
    assertEquals(1, before.size(), before::encode);
    assertEquals("NORMAL", before.getJsonObject(0).getString("triggerState"));
    assertEquals("policy.expired", before.getJsonObject(0).getString("customEventId"));
    assertEquals(r.header("X-Request-Id"), before.getJsonObject(0).getString("transactionLocator"));
    assertEquals(end.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
        Instant.parse(before.getJsonObject(0).getString("nextEventTime")));
    QuartzClock.fireNow(gateway.gateway().pool(), before.getJsonObject(0).getString("triggerName"));

    JsonObject expired = Poll.until(() -> gateway.http()
        .get("/event/" + DEMO_TENANT + "/events/list?type=policy.expired&pageSize=1000").as("reader", "reader-secret").send()
        .json().getJsonArray("events").stream().map(e -> (JsonObject) e)
        .filter(e -> policyLocator.equals(e.getJsonObject("data").getString("policyLocator"))).findFirst().orElse(null),
        "policy.expired fires");
    assertEquals("travel", expired.getJsonObject("data").getString("productName"));
    Poll.until(() ->
        "COMPLETE".equals(gateway.http().get(schedules).as("reader", "reader-secret").send().jsonArray()
            .getJsonObject(0).getString("triggerState")), "the schedule completes");
  }

  @Test
  void a_product_needing_manual_expiry_leaves_a_failed_job_to_list_resume_and_delete() {
    Http.Response r = issue(policy("flaky-demo", Instant.now().minusSeconds(60).toString(), Instant.now().plusMillis(500).toString(), 30));
    assertEquals(201, r.status(), r::toString);
    String policyLocator = r.json().getString("policyLocator");
    String failedList = "/event/" + DEMO_TENANT + "/events/schedules/policy/" + policyLocator + "/failed/list";

    // Retries run out first (the test config allows three attempts), so nothing fires behind our back.
    JsonObject failed = Poll.until(() -> {
      JsonArray list = gateway.http().get(failedList).as("reader", "reader-secret").send().jsonArray();
      return list.isEmpty() || !list.getJsonObject(0).getString("failedJobState").equals("quit") ? null : list.getJsonObject(0);
    }, "the expiry fails until it quits");
    assertEquals(3, failed.getInteger("failureCount"));
    assertEquals(DEMO_TENANT, failed.getString("triggerGroup"));
    JsonObject job = new JsonObject().put("triggerName", failed.getString("triggerName")).put("triggerGroup", DEMO_TENANT);
    // The handler's policy.expired event is kept although the firing failed.
    assertTrue(expiredEvents(policyLocator) >= 1);

    int tries = expiredEvents(policyLocator);
    Http.Response resumed = gateway.http().post("/event/" + DEMO_TENANT + "/events/schedules/failed/resume")
        .as("admin", "admin-secret").body(job.encode()).send();
    assertEquals(204, resumed.status(), resumed::toString);
    Poll.until(() -> expiredEvents(policyLocator) > tries, "the resumed job runs again");
    Poll.until(() -> gateway.http().get(failedList).as("reader", "reader-secret").send().jsonArray()
        .getJsonObject(0).getInteger("failureCount") == 4, "the resumed run's failure is recorded");

    Http.Response deleted = gateway.http().method("DELETE", "/event/" + DEMO_TENANT + "/events/schedules/failed")
        .as("admin", "admin-secret").body(job.encode()).send();
    assertEquals(204, deleted.status(), deleted::toString);
    assertEquals(0, gateway.http().get(failedList).as("reader", "reader-secret").send().jsonArray().size());
  }

  private int expiredEvents(String policyLocator) {
    return (int) gateway.http().get("/event/" + DEMO_TENANT + "/events/list?type=policy.expired&pageSize=1000")
        .as("reader", "reader-secret").send().json().getJsonArray("events").stream()
        .filter(e -> policyLocator.equals(((JsonObject) e).getJsonObject("data").getString("policyLocator"))).count();
  }

  private Http.Response issue(String body) {
    Http.Request request = gateway.http().post("/policy/" + DEMO_TENANT + "/policies").as("admin", "admin-secret");
    return (body.isEmpty() ? request : request.body(body)).send();
  }

  private static String policy(String product, String start, String end, double premium) {
    return new JsonObject().put("productName", product).put("startTime", start).put("endTime", end).put("premium", premium).encode();
  }

  private JsonArray eventsOf(String requestId) {
    return gateway.http().get("/event/" + DEMO_TENANT + "/events/request/" + requestId).as("reader", "reader-secret").send().jsonArray();
  }

  private StoredEvent append(String tenant) {
    return await(gateway.gateway().appender().append(new AppendRequest(UUID.fromString(tenant), null,
        "req-" + UUID.randomUUID(), List.of(new NewEvent("demo.event", null))))).get(0);
  }
}
