package io.tidemark.gateway.behavioral;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.TestPlugins;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** POST /v2/webhooks/{id}/events on the shipped config: each status reproduced by a request. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookIngestionTest {

  static final String HOOK = "67b62dffb7f5337f8a8237970bd0a467";
  static final String MAPPED_HOOK = "e4492fc546c93453ff177f356356a7b3";
  /** The shipped secrets of HOOK and MAPPED_HOOK (config/gateway.yaml), and a well-formed one of neither. */
  static final String SECRET = "whsec_dGlkZW1hcmsgZGVtbyB3ZWJob29rIHNlY3JldCAzMkI=";
  static final String MAPPED_SECRET = "whsec_dGlkZW1hcmsgbWFwcGVkIHdlYmhvb2sgc2VjcmV0MzI=";
  static final String WRONG_SECRET = "whsec_bm90IHRoZSBzZWNyZXQgb2YgYW55IHdlYmhvb2s=";
  /**
   * The users of signed deliveries: HOOK configures none, so it is derived from the id (as
   * docs/behavioral-events.md tells users to compute it: MD5 of "tidemark-webhook:" + id,
   * version 3); MAPPED_HOOK configures its own.
   */
  static final String DERIVED_USER = "b72343c0-2457-36e7-b2aa-74a7d6d1fbba";
  static final String MAPPED_HOOK_USER = "5f0c6f4e-1a2b-4c3d-8e9f-0000000000a1";
  static final Set<String> SEED_FIELDS = Set.of("startTime", "responseTime", "orgId", "status", "eventName",
      "inputRequest", "id", "webhookId", "parentOrgId", "message");

  private static final int FAILED_LOGINS_PER_USER = 3;

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), WebhookIngestionTest.class, c -> c
        .withPlugins(c.plugins().withDirectory(TestPlugins.directoryWith(TestPlugins.POLICY_LIFECYCLE,
            TestPlugins.LOYALTY_PROCESSORS, TestPlugins.FIXTURE_OPERATIONS).toString()))
        // Few failed logins per user, so that the throttle test cannot outlast a token's 20 s refill.
        .withSecurity(c.security().withFailedLoginLimits(FAILED_LOGINS_PER_USER, 30)));
    http = gateway.http();
    // Group_User_Event as in contract §5, with one enum value that is not a group of the processor's config.
    define(DefinitionsApiTest.groupUserEvent("Group_User_Event").put("fields", new JsonArray("""
        [{"name": "String", "type": "string"},
         {"name": "enum", "type": "enum", "attributes": {"enumValues": ["customerUserGroup", "premiumUserGroup", "3854766"]}},
         {"name": "customer", "type": "customer", "attributes": {"identifierType": "mobile"}}]""")));
    define(new JsonObject("""
        {"eventName": "TestEventWithDate", "description": "dates and rules", "actions": ["customer-identification"],
         "fields": [{"name": "CustomerId", "type": "customer"},
                    {"name": "createdDate", "type": "date", "attributes": {"isRequired": true}},
                    {"name": "amount", "type": "number"},
                    {"name": "code", "type": "string", "attributes": {"regex": "[A-Z]{3}"}},
                    {"name": "vip", "type": "boolean"}]}"""));
    define(new JsonObject("""
        {"eventName": "Exploding_Event", "actions": ["explodes", "customer-identification"],
         "fields": [{"name": "customer", "type": "customer"}]}"""));
    define(new JsonObject("""
        {"eventName": "Points_Awarded", "actions": ["customer-identification"],
         "fields": [{"name": "customer", "type": "customer"}, {"name": "points", "type": "number", "attributes": {"isRequired": true}}]}"""));
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  // ---- statuses

  @Test
  void a_valid_signed_event_succeeds_and_is_appended_with_the_processors_events() {
    String body = "{\"event_name\":\"Group_User_Event\",\"String\":\"rutuja_capillary\",\"enum\":\"customerUserGroup\",\"customer\":\"919970388310\"}";
    long before = Instant.now().toEpochMilli();
    Response r = signed(HOOK, SECRET, body).send();

    assertEquals(200, r.status(), r::toString);
    assertEquals(new JsonArray(), r.json().getJsonArray("errors"));
    JsonObject entry = r.json().getJsonObject("data");
    assertEquals(SEED_FIELDS, entry.fieldNames());
    assertEquals("EVENT_SUCCESS", entry.getString("status"));
    assertEquals("Event processed successfully", entry.getString("message"));
    assertEquals("Group_User_Event", entry.getString("eventName"));
    assertEquals(body, entry.getString("inputRequest"));
    assertEquals(HOOK, entry.getString("webhookId"));
    assertEquals(100737, entry.getInteger("orgId"));
    assertEquals(-1, entry.getInteger("parentOrgId"));
    assertTrue(entry.getLong("startTime") >= before - 1 && entry.getLong("startTime") <= Instant.now().toEpochMilli());
    assertTrue(entry.getInteger("responseTime") >= 0);
    UUID.fromString(entry.getString("id"));

    JsonArray events = eventsOf(r.header("X-Request-Id"));
    assertEquals(List.of("Group_User_Event", "customer.group_joined"), types(events));
    assertEquals(new JsonObject().put("String", "rutuja_capillary").put("enum", "customerUserGroup").put("customer", "919970388310"),
        events.getJsonObject(0).getJsonObject("data"));
    // No userLocator configured: the name-based UUID of "tidemark-webhook:" + id, on every event of the delivery.
    assertEquals(List.of(DERIVED_USER, DERIVED_USER), events.stream().map(e -> ((JsonObject) e).getString("userLocator")).toList());
  }

  @Test
  void no_customer_details_reproduces_the_seed_entry() {
    Response r = signed(HOOK, SECRET,
        "{\"event_name\":\"Group_User_Event\",\"String\":\"rutuja_capillary\",\"enum\":\"customerUserGroup\",\"customer\":\"\"}").send();
    assertRejected(r, 422, "NO_CUSTOMER_DETAILS_PASSED", "Customer details not passed ,User does not belong to group customerUserGroup");
    assertEquals(0, eventsOf(r.header("X-Request-Id")).size());
  }

  @Test
  void an_unknown_group_reproduces_the_seed_entry() {
    Response r = signed(HOOK, SECRET,
        "{\"event_name\":\"Group_User_Event\",\"String\":\"rutuja_capillary\",\"enum\":\"3854766\",\"customer\":\"919970388310\"}").send();
    assertRejected(r, 422, "INVALID_GROUP_IDENTIFIER_PASSED", "Invalid group identifier passed 3854766");
  }

  @Test
  void an_unknown_or_empty_event_name_is_invalid_event_name() {
    Response unknown = signed(HOOK, SECRET, "{\"event_name\":\"Event_event\",\"customer\":\"919148574269\"}").send();
    assertRejected(unknown, 422, "INVALID_EVENT_NAME", "Invalid event name Event_event");
    Response empty = signed(HOOK, SECRET, "{\"event_name\":\"\",\"String\":\"\",\"enum\":\"customerUserGroup\",\"customer\":\"\"}").send();
    assertRejected(empty, 422, "INVALID_EVENT_NAME", "Invalid event name ");
    assertEquals("", empty.json().getJsonObject("data").getString("eventName"));
  }

  @Test
  void a_throwing_processor_is_emf_processor_failed_and_its_events_are_kept() {
    Response r = signed(HOOK, SECRET, "{\"event_name\":\"Exploding_Event\",\"customer\":\"1\"}").send();
    assertRejected(r, 422, "EMF_PROCESSOR_FAILED", "Error while processing emfEvent: the fixture processor exploded");
    assertEquals(List.of("fixture.processor_saw"), types(eventsOf(r.header("X-Request-Id"))));
  }

  @Test
  void the_mapping_webhook_maps_what_a_transformer_matches_and_refuses_the_rest() {
    Response mapped = signed(MAPPED_HOOK, MAPPED_SECRET,
        "{\"eventName\":\"pointsAwarded\",\"data\":{\"customer\":{\"mobile\":\"917744876415\"},\"points\":40}}").send();
    assertEquals(200, mapped.status(), mapped::toString);
    assertEquals("Points_Awarded", mapped.json().getJsonObject("data").getString("eventName"));
    JsonObject event = eventsOf(mapped.header("X-Request-Id")).getJsonObject(0);
    assertEquals(new JsonObject().put("customer", "917744876415").put("points", 40), event.getJsonObject("data"));
    assertEquals(MAPPED_HOOK_USER, event.getString("userLocator"), "the webhook's configured userLocator");

    Response unmapped = signed(MAPPED_HOOK, MAPPED_SECRET,
        "{\"eventId\":\"ccf65d56\",\"data\":{\"accountId\":\"accountId\"},\"eventName\":\"customerAdded\",\"orgId\":100737}").send();
    assertRejected(unmapped, 422, "INVALID_META_TRANSFORMER_MAPPINGS", "Invalid meta transformer mappings: No transformer mapping found");
    assertFalse(unmapped.json().getJsonObject("data").containsKey("eventName"), "as in the seed: no event name");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "required missing  | {\"event_name\":\"TestEventWithDate\",\"CustomerId\":\"9177\"}                                              | Field 'createdDate' is required",
      "bad date          | {\"event_name\":\"TestEventWithDate\",\"CustomerId\":\"9177\",\"createdDate\":\"soon\"}                    | Field 'createdDate' must be a date",
      "number mistyped   | {\"event_name\":\"TestEventWithDate\",\"createdDate\":\"2025-05-08 17:33:01\",\"amount\":\"ten\"}         | Field 'amount' must be a number",
      "regex mismatch    | {\"event_name\":\"TestEventWithDate\",\"createdDate\":\"2025-05-08 17:33:01\",\"code\":\"abc\"}           | Field 'code' does not match [A-Z]{3}",
      "not a boolean     | {\"event_name\":\"TestEventWithDate\",\"createdDate\":\"2025-05-08 17:33:01\",\"vip\":\"maybe\"}          | Field 'vip' must be true or false",
      "enum not allowed  | {\"event_name\":\"Group_User_Event\",\"enum\":\"goldUserGroup\",\"customer\":\"1\"}                        | Field 'enum' must be one of"})
  void a_field_that_breaks_its_definition_is_invalid_field_value_naming_it(String label, String body, String message) {
    Response r = signed(HOOK, SECRET, body).send();
    assertEquals(422, r.status(), r::toString);
    assertEquals("INVALID_FIELD_VALUE", r.json().getJsonObject("data").getString("status"));
    assertTrue(r.json().getJsonObject("data").getString("message").startsWith(message), r::toString);
  }

  @Test
  void every_date_format_is_accepted_for_a_date_field() {
    for (String date : List.of("2025-05-08 17:33:01", "2025-05-08", "2025-05-08T17:33:01Z", "2025-05-08T17:33:01+05:30")) {
      Response r = signed(HOOK, SECRET, new JsonObject().put("event_name", "TestEventWithDate")
          .put("CustomerId", "917744876415").put("createdDate", date).put("amount", "12.5").put("code", "ABC").put("vip", true).encode()).send();
      assertEquals(200, r.status(), date + " -> " + r);
    }
  }

  @Test
  void an_unparsable_body_is_400_and_logged() {
    Response r = signed(HOOK, SECRET, "{not json").send();
    assertEquals(400, r.status(), r::toString);
    assertEquals("INVALID_PAYLOAD", r.json().getJsonObject("data").getString("status"));
    assertEquals("{not json", r.json().getJsonObject("data").getString("inputRequest"));
  }

  // ---- authentication

  @Test
  void a_wrong_missing_or_stale_signature_is_unauthorized_and_logged_like_the_seed() {
    String body = "{\"event_name\":\"Group_User_Event\",\"enum\":\"customerUserGroup\",\"customer\":\"9148574269\"}";
    long now = Instant.now().getEpochSecond();
    List<Http.Request> attempts = List.of(
        signed(HOOK, WRONG_SECRET, body),                                           // wrong secret
        http.post("/v2/webhooks/" + HOOK + "/events").body(body),                       // no signature, no Basic
        // Well outside the 5-minute window, so that the test's own latency cannot bring them back in.
        signedAt(HOOK, SECRET, body, "msg_" + UUID.randomUUID(), now - 360),      // stale
        signedAt(HOOK, SECRET, body, "msg_" + UUID.randomUUID(), now + 360),      // from the future
        http.post("/v2/webhooks/" + HOOK + "/events").body(body).header("webhook-id", "msg_1")
            .header("webhook-timestamp", Long.toString(now)).header("webhook-signature", "v1,AAAA"));  // garbled
    for (Http.Request attempt : attempts) {
      Response r = attempt.send();
      assertEquals(401, r.status(), r::toString);
      assertEquals("Basic realm=\"tidemark\"", r.header("WWW-Authenticate"));
      assertEquals(new JsonObject().putNull("data").put("warnings", new JsonArray()).put("errors", new JsonArray()
          .add(new JsonObject().put("code", 401).put("message", "Please check your username/password or authentication token"))), r.json());
      assertEquals(0, eventsOf(r.header("X-Request-Id")).size());
    }
    JsonArray logged = logsOf("Group_User_Event", "UNAUTHORIZED", 100);
    assertTrue(logged.size() >= attempts.size(), logged::encode);
    JsonObject entry = logged.getJsonObject(0);
    assertEquals("Unauthorized", entry.getString("message"));
    assertFalse(entry.containsKey("status"), "as in the seed: an unauthorised attempt has no status");
    assertEquals("Group_User_Event", entry.getString("eventName"));
  }

  @Test
  void several_signatures_are_accepted_when_one_matches() {
    String body = "{\"event_name\":\"Points_Awarded\",\"customer\":\"1\",\"points\":2}";
    String id = "msg_" + UUID.randomUUID();
    long now = Instant.now().getEpochSecond();
    String good = WebhookSignature.header(SECRET, id, now, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Response r = http.post("/v2/webhooks/" + HOOK + "/events").body(body)
        .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))
        .header("webhook-signature", "v1,b2xkLXNlY3JldC1zaWduYXR1cmU= " + good).send();
    assertEquals(200, r.status(), r::toString);
  }

  @Test
  void basic_auth_needs_events_ingest_in_the_webhooks_tenant() {
    String body = "{\"event_name\":\"Points_Awarded\",\"customer\":\"1\",\"points\":2}";
    Response admin = http.post("/v2/webhooks/" + HOOK + "/events").as("admin", "admin-secret").body(body).send();
    assertEquals(200, admin.status(), admin::toString);
    assertEquals("5f0c6f4e-1a2b-4c3d-8e9f-000000000001", eventsOf(admin.header("X-Request-Id")).getJsonObject(0).getString("userLocator"));
    assertEquals(401, http.post("/v2/webhooks/" + HOOK + "/events").as("reader", "reader-secret").body(body).send().status());
    assertEquals(401, http.post("/v2/webhooks/" + HOOK + "/events").as("other", "other-secret").body(body).send().status());
    assertEquals(401, http.post("/v2/webhooks/" + HOOK + "/events").as("admin", "wrong").body(body).send().status());
  }

  @Test
  void basic_auth_after_too_many_failed_logins_is_429_and_not_logged() {
    String body = "{\"event_name\":\"Points_Awarded\",\"customer\":\"1\",\"points\":2}";
    for (int i = 0; i < FAILED_LOGINS_PER_USER; i++) {
      Response r = http.post("/v2/webhooks/" + HOOK + "/events").as("intruder", "guess-" + i).body(body).send();
      assertEquals(401, r.status(), r::toString);
    }
    int logged = logsOf(null, null, 1000).size();
    Response r = http.post("/v2/webhooks/" + HOOK + "/events").as("intruder", "guess-x").body(body).send();
    assertEquals(429, r.status(), r::toString);
    long retryAfter = Long.parseLong(r.header("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 20, r::toString);
    assertEquals(new JsonObject().putNull("data").put("warnings", new JsonArray()).put("errors", new JsonArray()
        .add(new JsonObject().put("code", 429).put("message", "Too many failed logins for user 'intruder': at most "
            + FAILED_LOGINS_PER_USER + " a minute; retry in " + retryAfter + " s"))), r.json());
    // Refused before its password was looked at: the processing log keeps no entry for it.
    assertEquals(logged, logsOf(null, null, 1000).size());
  }

  @Test
  void every_attempt_writes_exactly_one_log_entry_and_an_unknown_webhook_none() {
    int before = logsOf(null, null, 1000).size();
    signed(HOOK, SECRET, "{\"event_name\":\"Points_Awarded\",\"customer\":\"1\",\"points\":2}").send();
    signed(HOOK, WRONG_SECRET, "{\"event_name\":\"Points_Awarded\"}").send();
    signed(HOOK, SECRET, "{\"event_name\":\"Nope\"}").send();
    Response unknownHook = signed("no-such-hook", SECRET, "{}").send();
    assertEquals(404, unknownHook.status());
    assertEquals(before + 3, logsOf(null, null, 1000).size());
  }

  // ---- helpers

  static Http.Request signedAt(Http http, String hook, String secret, String body, String id, long timestamp) {
    String signature = WebhookSignature.header(secret, id, timestamp, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return http.post("/v2/webhooks/" + hook + "/events").body(body)
        .header("webhook-id", id).header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", signature);
  }

  private Http.Request signedAt(String hook, String secret, String body, String id, long timestamp) {
    return signedAt(http, hook, secret, body, id, timestamp);
  }

  private Http.Request signed(String hook, String secret, String body) {
    return signedAt(hook, secret, body, "msg_" + UUID.randomUUID(), Instant.now().getEpochSecond());
  }

  private static void assertRejected(Response r, int status, String logStatus, String message) {
    assertEquals(status, r.status(), r::toString);
    JsonObject entry = r.json().getJsonObject("data");
    assertEquals(logStatus, entry.getString("status"));
    assertEquals(message, entry.getString("message"));
    assertEquals(new JsonObject().put("code", status).put("message", message), r.json().getJsonArray("errors").getJsonObject(0));
  }

  private void define(JsonObject definition) {
    Response r = http.post("/v2/events").as("admin", "admin-secret").body(definition.encode()).send();
    assertEquals(201, r.status(), r::toString);
  }

  private JsonArray eventsOf(String requestId) {
    return http.get("/event/" + DEMO_TENANT + "/events/request/" + requestId).as("reader", "reader-secret").send().jsonArray();
  }

  private JsonArray logsOf(String eventName, String status, int limit) {
    String query = "limit=" + limit + (eventName == null ? "" : "&event_name=" + eventName) + (status == null ? "" : "&status=" + status);
    Response r = http.get("/v2/events/logs?" + query).as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.json().getJsonArray("data");
  }

  private static List<String> types(JsonArray events) {
    return events.stream().map(e -> ((JsonObject) e).getString("type")).toList();
  }
}
