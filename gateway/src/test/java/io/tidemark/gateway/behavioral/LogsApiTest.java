package io.tidemark.gateway.behavioral;

import static io.tidemark.gateway.behavioral.WebhookIngestionTest.HOOK;
import static io.tidemark.gateway.behavioral.WebhookIngestionTest.SEED_FIELDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GET /v2/events/logs, exactly as seed 001, plus status, cursor paging and the date formats. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogsApiTest {

  private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

  private TestGateway gateway;
  private Http http;
  private final List<String> ids = new ArrayList<>(); // the entries this class made, oldest first
  private Instant firstStart;
  private Instant lastStart;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), LogsApiTest.class);
    http = gateway.http();
    assertEquals(201, http.post("/v2/events").as("admin", "admin-secret").body(new JsonObject()
        .put("eventName", "Log_Event").put("actions", new JsonArray().add("customer-identification"))
        .put("fields", new JsonArray().add(new JsonObject().put("name", "customer").put("type", "customer"))).encode())
        .send().status());
    for (int i = 0; i < 12; i++) {
      String body = i % 3 == 0 ? "{\"event_name\":\"Log_Event\",\"customer\":\"\"}" : "{\"event_name\":\"Log_Event\",\"customer\":\"" + i + "\"}";
      Response r = WebhookIngestionTest.signedAt(http, HOOK, WebhookIngestionTest.SECRET, body, "msg_" + UUID.randomUUID(),
          Instant.now().getEpochSecond()).send();
      ids.add(r.json().getJsonObject("data").getString("id"));
      Instant start = Instant.ofEpochMilli(r.json().getJsonObject("data").getLong("startTime"));
      firstStart = i == 0 ? start : firstStart;
    }
    // One in another event name and one unauthorised attempt.
    WebhookIngestionTest.signedAt(http, HOOK, WebhookIngestionTest.SECRET, "{\"event_name\":\"Other_Event\"}", "msg_x", Instant.now().getEpochSecond()).send();
    http.post("/v2/webhooks/" + HOOK + "/events").body("{\"event_name\":\"Log_Event\"}").send();
    lastStart = Instant.now(); // no entry of this class starts later
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void entries_have_exactly_the_seeds_fields_newest_first_ten_by_default() {
    Response r = logs("event_name=Log_Event");
    assertEquals(java.util.Set.of("data", "warnings", "errors"), r.json().fieldNames());
    JsonArray data = r.json().getJsonArray("data");
    assertEquals(10, data.size());
    java.util.Set<String> withoutStatus = new HashSet<>(SEED_FIELDS);
    withoutStatus.remove("status");
    assertEquals(withoutStatus, data.getJsonObject(0).fieldNames(), "the unauthorised attempt, as in the seed");
    for (int i = 1; i < data.size(); i++) {
      assertEquals(SEED_FIELDS, data.getJsonObject(i).fieldNames());
    }
    // Newest first: the last authorised attempt of this class is the second entry (after the unauthorised one).
    assertEquals(ids.get(ids.size() - 1), data.getJsonObject(1).getString("id"));
    assertEquals("Unauthorized", data.getJsonObject(0).getString("message"));
    for (int i = 1; i < data.size(); i++) {
      assertTrue(data.getJsonObject(i - 1).getLong("startTime") >= data.getJsonObject(i).getLong("startTime"));
    }
  }

  @Test
  void an_entry_names_the_event_name_read_empty_when_absent_and_leaves_it_out_when_nothing_was_read() {
    JsonObject absent = logged("{\"customer\":\"1\"}");
    assertEquals("", absent.getString("eventName"), absent::encode);
    assertEquals("Invalid event name ", absent.getString("message"));
    JsonObject empty = logged("{\"event_name\":\"\",\"customer\":\"1\"}");
    assertEquals("", empty.getString("eventName"), empty::encode);
    JsonObject unreadable = logged("[1, 2]");
    assertEquals("INVALID_PAYLOAD", unreadable.getString("status"));
    assertTrue(unreadable.containsKey("message"));
    assertTrue(!unreadable.containsKey("eventName"), unreadable::encode);
  }

  /** The processing log's entry for one webhook call with this body, read back through the log. */
  private JsonObject logged(String body) {
    Response r = WebhookIngestionTest.signedAt(http, HOOK, WebhookIngestionTest.SECRET, body, "msg_" + UUID.randomUUID(),
        Instant.now().getEpochSecond()).send();
    String id = r.json().getJsonObject("data").getString("id");
    JsonArray entries = logs("limit=1000").json().getJsonArray("data");
    for (int i = 0; i < entries.size(); i++) {
      if (id.equals(entries.getJsonObject(i).getString("id"))) {
        assertEquals(r.json().getJsonObject("data"), entries.getJsonObject(i), "the answer's data is the log entry");
        return entries.getJsonObject(i);
      }
    }
    throw new AssertionError("no log entry " + id + " in " + entries.encode());
  }

  @Test
  void filters_by_event_name_and_status() {
    JsonArray failed = logs("event_name=Log_Event&status=NO_CUSTOMER_DETAILS_PASSED&limit=100").json().getJsonArray("data");
    assertEquals(4, failed.size());
    failed.forEach(e -> assertEquals("NO_CUSTOMER_DETAILS_PASSED", ((JsonObject) e).getString("status")));
    assertEquals(8, logs("event_name=Log_Event&status=EVENT_SUCCESS&limit=100").json().getJsonArray("data").size());
    assertEquals(1, logs("event_name=Log_Event&status=UNAUTHORIZED&limit=100").json().getJsonArray("data").size());
    JsonArray other = logs("event_name=Other_Event").json().getJsonArray("data");
    assertEquals(1, other.size());
    assertEquals("INVALID_EVENT_NAME", other.getJsonObject(0).getString("status"));
  }

  @Test
  void pages_follow_the_link_header_without_overlap_or_gap() {
    List<String> seen = new ArrayList<>();
    String url = "/v2/events/logs?event_name=Log_Event&limit=5";
    int pages = 0;
    while (url != null) {
      Response r = http.get(url).as("reader", "reader-secret").send();
      assertEquals(200, r.status(), r::toString);
      r.json().getJsonArray("data").forEach(e -> seen.add(((JsonObject) e).getString("id")));
      String link = r.header("Link");
      url = link == null ? null : nextOf(link);
      pages++;
    }
    assertEquals(3, pages);
    assertEquals(13, seen.size());
    assertEquals(13, new HashSet<>(seen).size());
    List<String> authorised = new ArrayList<>(seen.subList(1, seen.size()));
    java.util.Collections.reverse(authorised);
    assertEquals(ids, authorised);
  }

  @Test
  void the_last_page_has_no_link_and_a_tampered_or_foreign_cursor_is_400() {
    Response all = logs("event_name=Log_Event&limit=100");
    assertNull(all.header("Link"));
    String next = nextOf(logs("event_name=Log_Event&limit=5").header("Link"));
    String cursor = next.substring(next.indexOf("cursor=") + 7);
    // Change one character for certain (overwriting with a fixed text may leave it as it was).
    char at = cursor.charAt(12);
    String tampered = cursor.substring(0, 12) + (at == 'A' ? 'B' : 'A') + cursor.substring(13);
    assertNotEquals(cursor, tampered);
    assertBadParameter(logs("event_name=Log_Event&limit=5&cursor=" + tampered), "cursor");
    assertBadParameter(logs("event_name=Other_Event&limit=5&cursor=" + cursor), "cursor");
    assertBadParameter(logs("cursor=garbage"), "cursor");
    assertEquals(200, logs("event_name=Log_Event&limit=5&cursor=" + cursor).status());
  }

  @Test
  void dates_in_every_documented_format() {
    // The days of the entries themselves, not of the clock now: the test may run across midnight UTC.
    LocalDate firstDay = LocalDate.ofInstant(firstStart, ZoneOffset.UTC);
    LocalDate lastDay = LocalDate.ofInstant(lastStart, ZoneOffset.UTC);
    int all = logs("event_name=Log_Event&limit=100").json().getJsonArray("data").size();
    assertEquals(13, all);
    assertEquals(all, count("from_date=" + firstDay + "&to_date=" + lastDay), "a date-only to_date includes its whole day");
    assertEquals(0, count("from_date=" + lastDay.plusDays(1)));
    assertEquals(0, count("to_date=" + firstDay.minusDays(1)));
    String spaced = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(firstStart.minusSeconds(1));
    assertEquals(all, count("from_date=" + encode(spaced)));
    assertEquals(all, count("from_date=" + encode(firstStart.minusSeconds(1).toString())));
    assertEquals(all, count("from_date=" + firstStart.toEpochMilli()), "epoch milliseconds, inclusive");
    assertEquals(0, count("to_date=" + (firstStart.toEpochMilli() - 1)));
    long firstSecond = firstStart.getEpochSecond();
    assertEquals(all, count("from_date=" + firstSecond), "10 digits are epoch seconds, not milliseconds of 1970");
    assertEquals(0, count("to_date=" + (firstSecond - 1)), "a 10-digit to_date is the second it names");
    assertEquals(all, count("to_date=" + (firstSecond + 86_400)));
    assertEquals(all, count("from_date=" + encode(firstStart.atOffset(ZoneOffset.ofHours(5)).toString())), "an offset is honoured");
  }

  @ParameterizedTest
  @ValueSource(strings = {"from_date=yesterday", "to_date=2025-13-01", "from_date=2025-05-08T25:00:00Z", "to_date=08/05/2025",
      "from_date=17467255810", "to_date=174672558100", "from_date=17467255810000", "to_date=99999999999999999999999"})
  void a_bad_date_is_400_naming_it(String query) {
    assertBadParameter(logs(query), query.substring(0, query.indexOf('=')));
  }

  @Test
  void from_after_to_is_400() {
    assertBadParameter(logs("from_date=2025-05-09&to_date=2025-05-08"), "from_date");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1001", "ten", "-5"})
  void a_limit_outside_1_to_1000_is_400(String limit) {
    assertBadParameter(logs("limit=" + limit), "limit");
  }

  @Test
  void the_log_needs_event_logs_read_and_shows_only_the_callers_org() {
    for (Response unauthorised : List.of(http.get("/v2/events/logs").send(),
        http.get("/v2/events/logs").as("reader", "wrong-password").send())) {
      assertEquals(401, unauthorised.status());
      assertEquals("Basic realm=\"tidemark\"", unauthorised.header("WWW-Authenticate"));
      assertEquals(new JsonObject().putNull("data").put("warnings", new JsonArray()).put("errors", new JsonArray()
          .add(new JsonObject().put("code", 401).put("message", "Please check your username/password or authentication token"))), unauthorised.json());
    }
    Response other = http.get("/v2/events/logs?limit=100").as("other", "other-secret").send();
    assertEquals(200, other.status());
    assertEquals(0, other.json().getJsonArray("data").size());
  }

  private int count(String query) {
    return logs("event_name=Log_Event&limit=100&" + query).json().getJsonArray("data").size();
  }

  private Response logs(String query) {
    return http.get("/v2/events/logs?" + query).as("reader", "reader-secret").send();
  }

  private static String nextOf(String link) {
    Matcher m = NEXT.matcher(link);
    assertTrue(m.find(), link);
    return m.group(1);
  }

  private static void assertBadParameter(Response r, String parameter) {
    assertEquals(400, r.status(), r::toString);
    String message = r.json().getJsonArray("errors").getJsonObject(0).getString("message");
    assertTrue(message.startsWith("Invalid parameter '" + parameter + "'"), r::toString);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
