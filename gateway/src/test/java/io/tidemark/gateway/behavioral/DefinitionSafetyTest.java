package io.tidemark.gateway.behavioral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.WebhookConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a hostile definition or payload can no longer do: stall the event loop with a regex,
 * or with a number too long to parse. Every answer is awaited with a deadline of a few seconds;
 * without the fixes these requests take tens of seconds (or forever) and the deadline fails them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DefinitionSafetyTest {

  private static final String HOOK = WebhookIngestionTest.HOOK;
  private static final String OTHER_HOOK = "0ther0000000000000000000000000001";
  private static final String OTHER_SECRET = "whsec_b3RoZXIgdGVuYW50J3Mgd2ViaG9vayBzZWNyZXQ=";
  private static final long DEADLINE_SECONDS = 5;

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), DefinitionSafetyTest.class, c -> {
      List<WebhookConfig> hooks = new ArrayList<>(c.webhooks());
      hooks.add(new WebhookConfig(OTHER_HOOK, "other", OTHER_SECRET, null, null, null));
      return c.withWebhooks(hooks);
    });
    http = gateway.http();
    define("""
        {"eventName": "Evil_Regex", "fields": [{"name": "s", "type": "string", "attributes": {"regex": "(.*a){12}"}}]}""");
    define("""
        {"eventName": "Capped", "fields": [{"name": "amount", "type": "number"}, {"name": "note", "type": "string"}]}""");
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void a_catastrophic_regex_answers_at_once_and_delays_no_other_tenant() {
    // About 30 s of backtracking for java.util.regex, on the event loop every request shares.
    CompletableFuture<Response> evil = CompletableFuture.supplyAsync(() ->
        signed(HOOK, WebhookIngestionTest.SECRET, "{\"event_name\":\"Evil_Regex\",\"s\":\"" + "a".repeat(32) + "b\"}").send());
    Response other = within(() -> signed(OTHER_HOOK, OTHER_SECRET, "{\"event_name\":\"Anything\"}").send());
    assertEquals(422, other.status(), other::toString);
    assertEquals("INVALID_EVENT_NAME", other.json().getJsonObject("data").getString("status"));
    assertEquals(200, within(() -> http.get("/health").send()).status());

    Response mismatch = within(evil::join);
    assertEquals(422, mismatch.status(), mismatch::toString);
    assertEquals("Field 's' does not match (.*a){12}", mismatch.json().getJsonObject("data").getString("message"));

    Response match = within(() -> signed(HOOK, WebhookIngestionTest.SECRET, "{\"event_name\":\"Evil_Regex\",\"s\":\"" + "a".repeat(33) + "\"}").send());
    assertEquals(200, match.status(), match::toString);
  }

  @Test
  void a_regex_over_the_length_cap_is_refused_naming_the_field() {
    Response r = post("""
        {"eventName": "Long_Regex", "fields": [{"name": "code", "type": "string", "attributes": {"regex": "%s"}}]}"""
        .formatted("a".repeat(1001)));
    assertError(r, 400, 1004, "fields[0].attributes.regex of field 'code' is 1001 characters long; at most 1000 are allowed");
  }

  @Test
  void a_regex_that_would_compile_to_a_huge_program_is_refused_at_once() {
    Response r = within(() -> post("""
        {"eventName": "Huge_Regex", "fields": [{"name": "code", "type": "string", "attributes": {"regex": "((a{1000}){1000}){1000}"}}]}"""));
    assertError(r, 400, 1004, "fields[0].attributes.regex of field 'code' is too complex (its repetitions expand beyond 10000 instructions)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "(a)\\\\1  | invalid escape sequence: `\\1`",
      "(?=a)b   | invalid or unsupported Perl syntax: `(?=`",
      "[z-a]    | invalid character class range: `z-a`"})
  void a_regex_that_does_not_compile_in_re2_is_refused(String regex, String why) {
    Response r = post("""
        {"eventName": "Broken_Regex", "fields": [{"name": "code", "type": "string", "attributes": {"regex": "%s"}}]}""".formatted(regex));
    assertError(r, 400, 1004, "fields[0].attributes.regex of field 'code' is not a valid RE2 regular expression: " + why
        + " (RE2 has no backreferences or lookaround)");
  }

  @Test
  void a_million_digit_number_is_refused_at_once_naming_the_field() {
    String digits = "7".repeat(1_000_000);
    Response asString = within(() -> signed(HOOK, WebhookIngestionTest.SECRET, "{\"event_name\":\"Capped\",\"amount\":\"" + digits + "\"}").send());
    assertRejected(asString, 400, "INVALID_PAYLOAD",
        "Invalid payload: field 'amount' is 1000000 characters long; a number field takes at most 100");

    // As a JSON number it never reaches the field check: the body parser refuses numbers over 1,000 digits.
    Response asNumber = within(() -> signed(HOOK, WebhookIngestionTest.SECRET, "{\"event_name\":\"Capped\",\"amount\":" + digits + "}").send());
    assertRejected(asNumber, 400, "INVALID_PAYLOAD", "Invalid payload: the body must be a JSON object");
  }

  @Test
  void a_string_over_the_cap_is_refused_naming_the_field() {
    Response r = signed(HOOK, WebhookIngestionTest.SECRET, "{\"event_name\":\"Capped\",\"note\":\"" + "x".repeat(65_537) + "\"}").send();
    assertRejected(r, 400, "INVALID_PAYLOAD", "Invalid payload: field 'note' is 65537 characters long; a string field takes at most 65536");
    Response atCap = signed(HOOK, WebhookIngestionTest.SECRET, "{\"event_name\":\"Capped\",\"note\":\"" + "x".repeat(65_536) + "\",\"amount\":\"1e5\"}").send();
    assertEquals(200, atCap.status(), atCap::toString);
  }

  // ---- helpers

  /** The answer, or a failure once the deadline has passed: never a wait of minutes. */
  private static <T> T within(Supplier<T> call) {
    try {
      return CompletableFuture.supplyAsync(call).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer within " + DEADLINE_SECONDS + " s: " + e, e);
    }
  }

  private Http.Request signed(String hook, String secret, String body) {
    return WebhookIngestionTest.signedAt(http, hook, secret, body, "msg_" + UUID.randomUUID(), Instant.now().getEpochSecond());
  }

  private Response post(String definition) {
    return http.post("/v2/events").as("admin", "admin-secret").body(definition).send();
  }

  private void define(String definition) {
    Response r = post(definition);
    assertEquals(201, r.status(), r::toString);
  }

  private static void assertError(Response r, int status, int code, String message) {
    assertEquals(status, r.status(), r::toString);
    assertEquals(new JsonArray().add(new JsonObject().put("code", code).put("message", message)),
        r.json().getJsonArray("errors"), r::toString);
  }

  private static void assertRejected(Response r, int status, String logStatus, String message) {
    assertEquals(status, r.status(), r::toString);
    assertEquals(logStatus, r.json().getJsonObject("data").getString("status"));
    assertEquals(message, r.json().getJsonObject("data").getString("message"));
    assertTrue(r.json().getJsonArray("errors").getJsonObject(0).getString("message").equals(message), r::toString);
  }
}
