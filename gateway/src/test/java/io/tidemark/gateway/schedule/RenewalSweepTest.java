package io.tidemark.gateway.schedule;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.OTHER_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tenant events end to end on the shipped config: the policy-lifecycle plugin's renewal-sweep
 * route schedules {@code tenant.renewal_sweep} for the tenant, and a sweep the plugin refuses
 * leaves a failed tenant job that the tenant endpoints list, resume and delete over HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RenewalSweepTest {

  private static final String ADMIN_USER = "5f0c6f4e-1a2b-4c3d-8e9f-000000000001";
  private static final String SCHEDULES = "/event/" + DEMO_TENANT + "/events/schedules";

  private TestGateway gateway;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), RenewalSweepTest.class);
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void a_sweep_is_a_tenant_event_that_fires_under_the_user_who_scheduled_it() {
    // Far ahead, so nothing fires while we look; then made due (QuartzClock), never raced.
    Instant runAt = Instant.now().plusMillis(QuartzClock.FAR_MILLIS).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Http.Response r = sweep(new JsonObject().put("runAt", runAt.toString()).put("label", "year-end"));
    assertEquals(201, r.status(), r::toString);
    String triggerName = r.json().getString("triggerName");
    assertEquals(new JsonObject().put("triggerName", triggerName).put("triggerGroup", DEMO_TENANT)
        .put("customEventId", "tenant.renewal_sweep").put("runAt", runAt.toString()), r.json());

    JsonArray scheduled = eventsOf(r.header("X-Request-Id"));
    assertEquals(1, scheduled.size(), scheduled::encode);
    assertEquals("tenant.renewal_sweep_scheduled", scheduled.getJsonObject(0).getString("type"));
    assertEquals(new JsonObject().put("triggerName", triggerName).put("label", "year-end").put("runAt", runAt.toString()),
        scheduled.getJsonObject(0).getJsonObject("data"));

    QuartzClock.fireNow(gateway.gateway().pool(), triggerName);
    JsonObject fired = Poll.until(() -> sweepEvents("year-end").stream().findFirst().orElse(null), "the sweep fires");
    assertEquals("tenant.renewal_sweep", fired.getString("type"));
    assertEquals(ADMIN_USER, fired.getString("userLocator"));
    assertEquals(1, fired.getJsonObject("data").getInteger("attempt"));
    assertEquals("year-end", fired.getJsonObject("data").getString("label"));
    Instant.parse(fired.getJsonObject("data").getString("scheduledTime")); // the firing's time, ISO-8601
    // A success leaves no failed job.
    assertEquals(0, failed("/tenant/failed/list").size());
  }

  @Test
  void a_sweep_needing_a_manual_run_is_a_failed_tenant_job_to_list_resume_and_delete() {
    Http.Response r = sweep(new JsonObject().put("runAt", Instant.now().minusSeconds(1).toString()).put("label", "flaky-demo"));
    assertEquals(201, r.status(), r::toString);
    String triggerName = r.json().getString("triggerName");

    // The test config allows three attempts: once it quits, nothing fires behind the test's back.
    JsonObject job = Poll.until(() -> failed("/tenant/failed/list").stream()
        .filter(j -> j.getString("triggerName").equals(triggerName) && j.getString("failedJobState").equals("quit"))
        .findFirst().orElse(null), "the sweep fails until its job quits");
    assertEquals(3, job.getInteger("failureCount"));
    assertEquals(DEMO_TENANT, job.getString("triggerGroup"));
    assertEquals(List.of(triggerName), names(failed("/failed/list")));
    assertEquals(List.of(triggerName), names(failed("/failed/quit/list")));
    assertEquals(List.of(), names(failed("/failed/queued/list")));
    // A tenant job is not a policy's, and another tenant never sees it.
    assertEquals(List.of(), names(failed("/policy/" + java.util.UUID.randomUUID() + "/failed/list")));
    assertEquals(0, gateway.http().get("/event/" + OTHER_TENANT + "/events/schedules/tenant/failed/list")
        .as("other", "other-secret").send().jsonArray().size());
    assertEquals(3, sweepEvents("flaky-demo").size(), "each failed try keeps its event");

    JsonObject trigger = new JsonObject().put("triggerName", triggerName).put("triggerGroup", DEMO_TENANT);
    Http.Response resumed = gateway.http().post(SCHEDULES + "/failed/resume").as("admin", "admin-secret").body(trigger.encode()).send();
    assertEquals(204, resumed.status(), resumed::toString);
    Poll.until(() -> sweepEvents("flaky-demo").size() == 4, "the resumed job runs again");
    Poll.until(() -> failed("/tenant/failed/list").get(0).getInteger("failureCount") == 4, "its failure is recorded");

    Http.Response deleted = gateway.http().method("DELETE", SCHEDULES + "/failed").as("admin", "admin-secret").body(trigger.encode()).send();
    assertEquals(204, deleted.status(), deleted::toString);
    assertEquals(0, failed("/tenant/failed/list").size());
    assertEquals(404, gateway.http().post(SCHEDULES + "/failed/resume").as("admin", "admin-secret").body(trigger.encode()).send().status());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no runAt              | {\"label\":\"x\"}                                                   | runAt is missing",
      "runAt not a date      | {\"runAt\":\"tomorrow\"}                                            | runAt must be an ISO-8601 date-time",
      "runAt after 9999      | {\"runAt\":\"+10000-01-01T00:00:00Z\"}                              | runAt must be between",
      "label not a string    | {\"runAt\":\"2030-01-01T00:00:00Z\",\"label\":7}                    | label must be a non-empty string",
      "fractional interval   | {\"runAt\":\"2030-01-01T00:00:00Z\",\"repeatEveryMinutes\":1.5}     | repeatEveryMinutes must be a whole number from 1 to 527040",
      "zero interval         | {\"runAt\":\"2030-01-01T00:00:00Z\",\"repeatEveryMinutes\":0}       | repeatEveryMinutes must be a whole number from 1 to 527040",
      "count without interval| {\"runAt\":\"2030-01-01T00:00:00Z\",\"repeatCount\":3}              | repeatCount needs repeatEveryMinutes",
      "count too big         | {\"runAt\":\"2030-01-01T00:00:00Z\",\"repeatEveryMinutes\":60,\"repeatCount\":1001} | repeatCount must be a whole number from 0 to 1000"})
  void a_bad_sweep_is_400_naming_the_field_and_schedules_nothing(String label, String body, String reason) {
    Http.Response r = gateway.http().post("/policy/" + DEMO_TENANT + "/renewal-sweeps").as("admin", "admin-secret").body(body).send();
    assertEquals(400, r.status(), r::toString);
    assertEquals("INVALID_RENEWAL_SWEEP", r.json().getString("code"));
    assertTrue(r.json().getString("message").contains(reason), r::toString);
    assertEquals(0, eventsOf(r.header("X-Request-Id")).size());
  }

  @Test
  void a_repeating_sweep_is_accepted() {
    Http.Response r = sweep(new JsonObject().put("runAt", "2030-01-01T00:00:00Z").put("repeatEveryMinutes", 1440).put("repeatCount", 11));
    assertEquals(201, r.status(), r::toString);
    JsonObject data = eventsOf(r.header("X-Request-Id")).getJsonObject(0).getJsonObject("data");
    assertEquals(1440, data.getInteger("repeatEveryMinutes"));
    assertEquals(11, data.getInteger("repeatCount"));
    assertEquals("renewal-sweep", data.getString("label"), "the default label");
  }

  @Test
  void scheduling_a_sweep_needs_events_write_in_the_tenant() {
    String body = new JsonObject().put("runAt", "2030-01-01T00:00:00Z").encode();
    String path = "/policy/" + DEMO_TENANT + "/renewal-sweeps";
    assertEquals(401, gateway.http().post(path).body(body).send().status());
    assertEquals(403, gateway.http().post(path).as("reader", "reader-secret").body(body).send().status());
    assertEquals(403, gateway.http().post(path).as("other", "other-secret").body(body).send().status());
  }

  private Http.Response sweep(JsonObject body) {
    return gateway.http().post("/policy/" + DEMO_TENANT + "/renewal-sweeps").as("admin", "admin-secret").body(body.encode()).send();
  }

  private List<JsonObject> failed(String path) {
    Http.Response r = gateway.http().get(SCHEDULES + path).as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.jsonArray().stream().map(j -> (JsonObject) j).collect(Collectors.toList());
  }

  private static List<String> names(List<JsonObject> jobs) {
    return jobs.stream().map(j -> j.getString("triggerName")).collect(Collectors.toList());
  }

  private List<JsonObject> sweepEvents(String label) {
    return gateway.http().get("/event/" + DEMO_TENANT + "/events/list?type=tenant.renewal_sweep&pageSize=1000")
        .as("reader", "reader-secret").send().json().getJsonArray("events").stream().map(e -> (JsonObject) e)
        .filter(e -> label.equals(e.getJsonObject("data").getString("label"))).collect(Collectors.toList());
  }

  private JsonArray eventsOf(String requestId) {
    return gateway.http().get("/event/" + DEMO_TENANT + "/events/request/" + requestId).as("reader", "reader-secret").send().jsonArray();
  }
}
