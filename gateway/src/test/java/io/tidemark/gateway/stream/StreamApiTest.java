package io.tidemark.gateway.stream;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.OTHER_TENANT;
import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.gateway.store.StoredEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamApiTest {

  private static final UUID DEMO = UUID.fromString(DEMO_TENANT);
  private static final UUID ADMIN_LOCATOR = UUID.fromString("5f0c6f4e-1a2b-4c3d-8e9f-000000000001");
  private static final String EVENTS = "/event/" + DEMO_TENANT + "/events";

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.testConfig(), StreamApiTest.class);
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  // ---- GET /events/{locator}

  @Test
  void an_event_is_returned_exactly_as_it_was_appended() {
    StoredEvent stored = append("req-" + UUID.randomUUID(), "policy.issued", new JsonObject().put("premium", 12.5)).get(0);

    Response r = reader(EVENTS + "/" + stored.locator());

    assertEquals(200, r.status(), r::toString);
    assertEquals(new JsonObject()
        .put("locator", stored.locator())
        .put("userLocator", ADMIN_LOCATOR.toString())
        .put("requestId", stored.requestId())
        .put("timestamp", EventJson.timestamp(stored.timestamp()))
        .put("type", "policy.issued")
        .put("data", new JsonObject().put("premium", 12.5)), r.json());
    assertTrue(r.json().getString("timestamp").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
  }

  @Test
  void an_unknown_locator_is_404() {
    Response r = reader(EVENTS + "/01J0000000000000000000000Z");
    assertEquals(404, r.status(), r::toString);
    assertEquals("NOT_FOUND", r.json().getString("code"));
    assertTrue(r.json().getString("message").contains("01J0000000000000000000000Z"), r::toString);
  }

  @Test
  void a_malformed_locator_is_400_naming_the_parameter() {
    Response r = reader(EVENTS + "/not-a-ulid");
    assertBadParameter(r, "locator");
  }

  @Test
  void an_event_of_another_tenant_is_not_found_in_this_one() {
    StoredEvent foreign = await(gateway.gateway().appender().append(new AppendRequest(
        UUID.fromString(OTHER_TENANT), null, "req-" + UUID.randomUUID(), List.of(new NewEvent("x", null))))).get(0);
    assertEquals(404, reader(EVENTS + "/" + foreign.locator()).status());
    assertEquals(200, http.get("/event/" + OTHER_TENANT + "/events/" + foreign.locator()).as("other", "other-secret").send().status());
  }

  // ---- GET /events/request/{requestId}

  @Test
  void the_events_of_a_request_come_back_in_emitted_order() {
    String request = "req-" + UUID.randomUUID();
    append(request, "first", "second", "third");
    append("req-" + UUID.randomUUID(), "unrelated");

    Response r = reader(EVENTS + "/request/" + request);

    assertEquals(200, r.status(), r::toString);
    assertEquals(List.of("first", "second", "third"), types(r.jsonArray()));
    r.jsonArray().forEach(e -> assertEquals(request, ((JsonObject) e).getString("requestId")));
  }

  @Test
  void a_request_without_events_answers_an_empty_array() {
    Response r = reader(EVENTS + "/request/no-such-request");
    assertEquals(200, r.status());
    assertEquals("[]", r.body());
  }

  // ---- authentication and permissions, on every endpoint

  @ParameterizedTest
  @ValueSource(strings = {"/01J0000000000000000000000Z", "/request/r1", "/list"})
  void no_credentials_get_401_with_a_basic_challenge(String path) {
    Response r = http.get(EVENTS + path).send();
    assertEquals(401, r.status());
    assertEquals("Basic realm=\"tidemark\"", r.header("WWW-Authenticate"));
    assertEquals(new JsonObject().put("message", "Authentication required: send HTTP Basic credentials")
        .put("code", "UNAUTHORIZED"), r.json());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/01J0000000000000000000000Z", "/request/r1", "/list"})
  void a_wrong_password_gets_401(String path) {
    Response r = http.get(EVENTS + path).as("reader", "wrong").send();
    assertEquals(401, r.status());
    assertEquals("Basic realm=\"tidemark\"", r.header("WWW-Authenticate"));
  }

  @Test
  void an_htpasswd_user_that_config_grants_nothing_cannot_log_in() {
    assertEquals(401, http.get(EVENTS + "/list").as("unconfigured", "readonly-secret").send().status());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/01J0000000000000000000000Z", "/request/r1", "/list"})
  void a_user_of_another_tenant_gets_403(String path) {
    Response r = http.get(EVENTS + path).as("other", "other-secret").send();
    assertEquals(403, r.status(), r::toString);
    assertTrue(r.json().getString("message").contains("does not belong to tenant " + DEMO_TENANT), r::toString);
  }

  @Test
  void a_tenant_that_does_not_exist_gets_403_not_a_hint() {
    Response r = http.get("/event/" + UUID.randomUUID() + "/events/list").as("admin", "admin-secret").send();
    assertEquals(403, r.status());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/01J0000000000000000000000Z", "/request/r1", "/list"})
  void a_user_without_events_read_gets_403(String path) {
    Response r = http.get(EVENTS + path).as("nobody", "nobody-secret").send();
    assertEquals(403, r.status());
    assertTrue(r.json().getString("message").contains("events:read"), r::toString);
  }

  @Test
  void the_list_also_needs_events_list() {
    Response list = http.get(EVENTS + "/list").as("readonly", "readonly-secret").send();
    assertEquals(403, list.status());
    assertEquals(new JsonObject().put("message", "User 'readonly' lacks permission events:list").put("code", "FORBIDDEN"),
        list.json());
    assertEquals(200, http.get(EVENTS + "/request/r1").as("readonly", "readonly-secret").send().status());
  }

  @Test
  void a_tenant_locator_that_is_not_a_uuid_is_400() {
    Response r = http.get("/event/demo/events/list").as("reader", "reader-secret").send();
    assertBadParameter(r, "tenantLocator");
    assertEquals("Invalid parameter 'tenantLocator': must be a UUID, got 'demo'", r.json().getString("message"));
  }

  // ---- GET /events/list

  @Test
  void the_list_pages_through_events_in_stream_order_with_a_token_on_every_page() {
    String type = uniqueType();
    List<String> appended = new ArrayList<>();
    for (int call = 0; call < 5; call++) {
      appended.addAll(locators(append("req-" + UUID.randomUUID(), type, type, type, type, type)));
    }

    List<String> seen = new ArrayList<>();
    String token = null;
    List<Integer> pageSizes = new ArrayList<>();
    for (int page = 0; page < 4; page++) {
      JsonObject body = list("type=" + type + "&pageSize=10" + (token == null ? "" : "&pagingToken=" + token));
      assertEquals(2, body.size(), "exactly pagingToken and events: " + body);
      token = body.getString("pagingToken");
      assertTrue(token.matches("[A-Za-z0-9_-]+"), "URL-safe token: " + token);
      pageSizes.add(body.getJsonArray("events").size());
      seen.addAll(locators(body.getJsonArray("events")));
    }

    assertEquals(List.of(10, 10, 5, 0), pageSizes);
    assertEquals(appended, seen);
  }

  @Test
  void an_exhausted_token_later_returns_exactly_the_events_appended_since() {
    String type = uniqueType();
    append("req-" + UUID.randomUUID(), type, type);
    JsonObject first = list("type=" + type);
    assertEquals(2, first.getJsonArray("events").size());
    String token = first.getString("pagingToken");
    JsonObject exhausted = list("type=" + type + "&pagingToken=" + token);
    assertEquals(0, exhausted.getJsonArray("events").size());

    List<String> later = locators(append("req-" + UUID.randomUUID(), type, type, type));

    JsonObject resumed = list("type=" + type + "&pagingToken=" + exhausted.getString("pagingToken"));
    assertEquals(later, locators(resumed.getJsonArray("events")));
    JsonObject again = list("type=" + type + "&pagingToken=" + resumed.getString("pagingToken"));
    assertEquals(0, again.getJsonArray("events").size());
  }

  @Test
  void the_default_page_size_is_100() {
    String type = uniqueType();
    append("req-" + UUID.randomUUID(), IntStream.range(0, 101).mapToObj(i -> type).toArray(String[]::new));
    assertEquals(100, list("type=" + type).getJsonArray("events").size());
    assertEquals(101, list("type=" + type + "&pageSize=1000").getJsonArray("events").size());
    assertEquals(1, list("type=" + type + "&pageSize=1").getJsonArray("events").size());
  }

  @Test
  void the_type_filter_returns_only_that_type() {
    String type = uniqueType();
    String request = "req-" + UUID.randomUUID();
    append(request, type, "noise", type);
    JsonArray events = list("type=" + type).getJsonArray("events");
    assertEquals(List.of(type, type), types(events));
  }

  @Test
  void the_time_range_includes_its_start_and_excludes_its_end() {
    String type = uniqueType();
    StoredEvent a = append("req-a", type).get(0);
    waitForClockToPass(a.timestamp());
    StoredEvent b = append("req-b", type).get(0);
    waitForClockToPass(b.timestamp());
    StoredEvent c = append("req-c", type).get(0);
    assertTrue(a.timestamp().isBefore(b.timestamp()) && b.timestamp().isBefore(c.timestamp()));

    String tb = encode(EventJson.timestamp(b.timestamp()));
    String tc = encode(EventJson.timestamp(c.timestamp()));
    assertEquals(locators(List.of(b, c)), locators(list("type=" + type + "&startTimestamp=" + tb).getJsonArray("events")));
    assertEquals(locators(List.of(a, b)), locators(list("type=" + type + "&endTimestamp=" + tc).getJsonArray("events")));
    assertEquals(locators(List.of(b)),
        locators(list("type=" + type + "&startTimestamp=" + tb + "&endTimestamp=" + tc).getJsonArray("events")));
    // The same instant written with an offset is the same filter.
    String tbOffset = encode(b.timestamp().atOffset(java.time.ZoneOffset.ofHours(2)).toString());
    assertEquals(locators(List.of(b, c)), locators(list("type=" + type + "&startTimestamp=" + tbOffset).getJsonArray("events")));
  }

  @Test
  void the_time_range_works_without_a_type_filter() {
    StoredEvent a = append("req-" + UUID.randomUUID(), uniqueType()).get(0);
    waitForClockToPass(a.timestamp());
    Instant after = Instant.now();
    waitForClockToPass(after);
    StoredEvent b = append("req-" + UUID.randomUUID(), uniqueType()).get(0);
    JsonObject page = list("startTimestamp=" + encode(after.toString()) + "&pageSize=1000");
    List<String> seen = locators(page.getJsonArray("events"));
    assertTrue(seen.contains(b.locator()), page::encode);
    assertTrue(!seen.contains(a.locator()), page::encode);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1001", "-1", "ten", "1.5"})
  void a_page_size_outside_1_to_1000_is_400(String pageSize) {
    assertBadParameter(reader(EVENTS + "/list?pageSize=" + pageSize), "pageSize");
  }

  @ParameterizedTest
  @ValueSource(strings = {"startTimestamp", "endTimestamp"})
  void a_timestamp_that_is_not_iso_8601_is_400(String parameter) {
    for (String bad : List.of("yesterday", "2026-13-01T00:00:00Z", "1700000000000", "2026-01-01T25:00:00Z")) {
      assertBadParameter(reader(EVENTS + "/list?" + parameter + "=" + encode(bad)), parameter);
    }
  }

  @Test
  void a_start_after_the_end_is_400() {
    Response r = reader(EVENTS + "/list?startTimestamp=2026-02-01T00:00:00Z&endTimestamp=2026-01-01T00:00:00Z");
    assertBadParameter(r, "startTimestamp");
  }

  @Test
  void a_tampered_token_is_400() {
    String token = list("type=" + uniqueType()).getString("pagingToken");
    char[] chars = token.toCharArray();
    chars[5] = chars[5] == 'A' ? 'B' : 'A';
    assertBadParameter(reader(EVENTS + "/list?pagingToken=" + new String(chars)), "pagingToken");
    assertBadParameter(reader(EVENTS + "/list?pagingToken=garbage"), "pagingToken");
    assertBadParameter(reader(EVENTS + "/list?pagingToken=" + token + "AA"), "pagingToken");
  }

  @Test
  void a_token_passed_with_other_filters_is_400() {
    String type = uniqueType();
    String token = list("type=" + type).getString("pagingToken");
    Response otherType = reader(EVENTS + "/list?type=other&pagingToken=" + token);
    assertBadParameter(otherType, "pagingToken");
    assertEquals("Invalid parameter 'pagingToken': was issued for other filters; pass it alone, or with exactly the "
        + "filters of the request that returned it", otherType.json().getString("message"));
    // Some of its filters are not the same filters: all of them, or none.
    assertBadParameter(reader(EVENTS + "/list?type=" + type + "&startTimestamp=2026-01-01T00:00:00Z&pagingToken=" + token),
        "pagingToken");
    assertBadParameter(reader(EVENTS + "/list?startTimestamp=2026-01-01T00:00:00Z&pagingToken=" + token), "pagingToken");
    // A different page size is not a different filter.
    assertEquals(200, reader(EVENTS + "/list?type=" + type + "&pageSize=7&pagingToken=" + token).status());
  }

  @Test
  void a_token_passed_alone_continues_with_the_filters_it_carries() {
    String type = uniqueType();
    List<String> appended = new ArrayList<>(locators(append("req-" + UUID.randomUUID(), type, "noise", type, type)));
    appended.remove(1);
    JsonObject first = list("type=" + type + "&startTimestamp=2026-01-01T00:00:00Z&pageSize=2");
    assertEquals(appended.subList(0, 2), locatorsOf(first));
    // Alone: the type and start it was issued with, not the whole stream.
    JsonObject alone = list("pagingToken=" + first.getString("pagingToken"));
    assertEquals(appended.subList(2, 3), locatorsOf(alone));
    // With the same filters: the same page.
    JsonObject same = list("type=" + type + "&startTimestamp=2026-01-01T00:00:00Z&pagingToken=" + first.getString("pagingToken"));
    assertEquals(alone, same);
    // And the token of a page read with the token alone carries the filters on.
    List<String> later = locators(append("req-" + UUID.randomUUID(), "noise", type));
    assertEquals(later.subList(1, 2), locatorsOf(list("pagingToken=" + alone.getString("pagingToken"))));
  }

  @Test
  void a_request_reused_past_the_cap_answers_its_first_thousand_events_and_says_so() {
    String request = "req-" + UUID.randomUUID();
    List<String> appended = new ArrayList<>(locators(append(request, IntStream.range(0, 600).mapToObj(i -> "bulk").toArray(String[]::new))));
    Response exact = reader(EVENTS + "/request/" + request);
    assertEquals(600, exact.jsonArray().size());
    assertEquals(null, exact.header("X-Events-Truncated"));
    appended.addAll(locators(append(request, IntStream.range(0, 401).mapToObj(i -> "bulk").toArray(String[]::new))));
    Response capped = reader(EVENTS + "/request/" + request);
    assertEquals(200, capped.status());
    assertEquals("1000", capped.header("X-Events-Truncated"));
    assertEquals(appended.subList(0, 1000), locators(capped.jsonArray()));
  }

  @Test
  void a_page_size_beyond_an_int_is_out_of_range_not_malformed() {
    Response r = reader(EVENTS + "/list?pageSize=99999999999");
    assertBadParameter(r, "pageSize");
    assertEquals("Invalid parameter 'pageSize': must be between 1 and 1000, got 99999999999", r.json().getString("message"));
  }

  @Test
  void a_token_of_one_tenant_is_refused_by_another() {
    String token = list("type=" + uniqueType()).getString("pagingToken");
    Response r = http.get("/event/" + OTHER_TENANT + "/events/list?pagingToken=" + token).as("other", "other-secret").send();
    assertBadParameter(r, "pagingToken");
    assertEquals("Invalid parameter 'pagingToken': was issued for another tenant", r.json().getString("message"));
  }

  // ---- helpers

  private List<StoredEvent> append(String requestId, String... types) {
    List<NewEvent> events = new ArrayList<>();
    for (String type : types) {
      events.add(new NewEvent(type, new JsonObject().put("n", events.size())));
    }
    return await(gateway.gateway().appender().append(new AppendRequest(DEMO, ADMIN_LOCATOR, requestId, events)));
  }

  private List<StoredEvent> append(String requestId, String type, JsonObject data) {
    return await(gateway.gateway().appender().append(
        new AppendRequest(DEMO, ADMIN_LOCATOR, requestId, List.of(new NewEvent(type, data)))));
  }

  private Response reader(String path) {
    return http.get(path).as("reader", "reader-secret").send();
  }

  private JsonObject list(String query) {
    Response r = reader(EVENTS + "/list?" + query);
    assertEquals(200, r.status(), r::toString);
    return r.json();
  }

  private static void assertBadParameter(Response r, String parameter) {
    assertEquals(400, r.status(), r::toString);
    assertEquals("INVALID_PARAMETER", r.json().getString("code"), r::toString);
    assertTrue(r.json().getString("message").startsWith("Invalid parameter '" + parameter + "'"), r::toString);
  }

  private static String uniqueType() {
    return "t." + UUID.randomUUID();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Timestamps have millisecond precision: wait (spinning, bounded) until the clock is past {@code t}. */
  private static void waitForClockToPass(Instant t) {
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (Instant.now().toEpochMilli() <= t.toEpochMilli() + 1) {
      assertTrue(System.nanoTime() < deadline, "clock did not advance");
      Thread.onSpinWait();
    }
  }

  private static List<String> types(JsonArray events) {
    return events.stream().map(e -> ((JsonObject) e).getString("type")).toList();
  }

  private static List<String> locatorsOf(JsonObject page) {
    return locators(page.getJsonArray("events"));
  }

  private static List<String> locators(JsonArray events) {
    return events.stream().map(e -> ((JsonObject) e).getString("locator")).toList();
  }

  private static List<String> locators(List<StoredEvent> events) {
    return events.stream().map(StoredEvent::locator).toList();
  }

  @Test
  void locators_are_ulids_that_sort_in_stream_order_within_a_commit() {
    List<StoredEvent> stored = append("req-" + UUID.randomUUID(), "a", "b", "c");
    List<String> locators = locators(stored);
    assertEquals(locators.stream().sorted().toList(), locators);
    assertNotEquals(locators.get(0), locators.get(1));
  }
}
