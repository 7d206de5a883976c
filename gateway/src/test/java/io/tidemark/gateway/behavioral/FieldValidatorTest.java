package io.tidemark.gateway.behavioral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import io.tidemark.gateway.behavioral.FieldValidator.Problem;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Field checks without HTTP: caps before parsing, RE2 regexes compiled once and matched off the event loop. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FieldValidatorTest {

  private Vertx vertx;

  private static final Definition DEFINITION = DefinitionParser.parse("""
      {"eventName": "Checked", "fields": [
        {"name": "code", "type": "string", "attributes": {"regex": "[A-Z]{3}"}},
        {"name": "amount", "type": "number", "attributes": {"isRequired": true}},
        {"name": "note", "type": "string"},
        {"name": "when", "type": "date"}]}""", id -> true);

  private static final Definition NO_REGEX = DefinitionParser.parse("""
      {"eventName": "Plain", "fields": [{"name": "amount", "type": "number"}, {"name": "note", "type": "string"}]}""",
      id -> true);

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void valid_values_have_no_problem() {
    assertEquals(Optional.empty(), check(DEFINITION, Map.of("code", "ABC", "amount", "12.5", "note", "hi", "when", "2025-05-08")));
    assertEquals(Optional.empty(), check(DEFINITION, Map.of("amount", 12)));
  }

  @Test
  void a_regex_mismatch_names_the_field_and_comes_before_a_later_fields_problem() {
    assertEquals(Optional.of(new Problem(422, "INVALID_FIELD_VALUE", "Field 'code' does not match [A-Z]{3}")),
        check(DEFINITION, Map.of("code", "abc")), "amount is missing too, but code comes first");
    assertEquals(Optional.of(new Problem(422, "INVALID_FIELD_VALUE", "Field 'amount' is required")),
        check(DEFINITION, Map.of("code", "ABC")));
  }

  @Test
  void a_catastrophic_pattern_for_a_backtracking_engine_is_linear_in_re2() {
    Definition d = DefinitionParser.parse("""
        {"eventName": "Evil", "fields": [{"name": "s", "type": "string", "attributes": {"regex": "(.*a){12}"}}]}""",
        id -> true);
    // java.util.regex takes about 30 s on this; the await fails after 5.
    assertEquals(Optional.of(new Problem(422, "INVALID_FIELD_VALUE", "Field 's' does not match (.*a){12}")),
        check(d, Map.of("s", "a".repeat(32) + "b")));
    assertEquals(Optional.empty(), check(d, Map.of("s", "a".repeat(33))));
  }

  @Test
  void values_over_their_types_cap_are_refused_as_invalid_payload_before_parsing() {
    Map<String, Object> values = new HashMap<>(Map.of("amount", "7".repeat(1_000_000)));
    assertEquals(Optional.of(new Problem(400, "INVALID_PAYLOAD",
        "Invalid payload: field 'amount' is 1000000 characters long; a number field takes at most 100")), check(DEFINITION, values));

    values = new HashMap<>(Map.of("amount", 1, "note", "x".repeat(FieldValidator.MAX_STRING_CHARS + 1)));
    assertEquals(Optional.of(new Problem(400, "INVALID_PAYLOAD",
        "Invalid payload: field 'note' is 65537 characters long; a string field takes at most 65536")), check(DEFINITION, values));

    values = new HashMap<>(Map.of("amount", 1, "when", "2".repeat(101)));
    assertEquals(400, check(DEFINITION, values).orElseThrow().httpStatus());

    assertEquals(Optional.empty(), check(DEFINITION, Map.of("amount", "1".repeat(100), "note", "x".repeat(65_536))),
        "the caps themselves are allowed");
  }

  @Test
  void an_events_regex_work_is_bounded_by_value_length_times_program_size() {
    Definition d = DefinitionParser.parse("""
        {"eventName": "Heavy", "fields": [{"name": "a", "type": "string", "attributes": {"regex": "(.*a){800}"}},
                                          {"name": "b", "type": "string", "attributes": {"regex": "(.*a){800}"}}]}""",
        id -> true);
    int size = d.fields().get(0).regex().orElseThrow().programSize();
    // Linear, but 65,536 characters of this would still take a worker about 10 s.
    assertEquals(Optional.of(new Problem(400, "INVALID_PAYLOAD", "Invalid payload: field 'a' is too long to check against its regex "
        + "(65536 characters times " + size + " instructions; an event's regex checks may take at most " + FieldValidator.MAX_REGEX_STEPS + " steps)")),
        check(d, Map.of("a", "a".repeat(65_536))));
    int half = (int) (FieldValidator.MAX_REGEX_STEPS / size / 2);
    assertEquals("field 'b' is too long", check(d, Map.of("a", "a".repeat(half), "b", "a".repeat(half + 10)))
        .orElseThrow().message().substring("Invalid payload: ".length(), "Invalid payload: ".length() + 21), "the sum counts");
    assertEquals(Optional.of(new Problem(422, "INVALID_FIELD_VALUE", "Field 'a' does not match (.*a){800}")),
        check(d, Map.of("a", "a".repeat(half - 1) + "b")), "within the budget: checked, and within the deadline");
  }

  @Test
  void a_short_number_past_what_numeric_holds_is_out_of_range() {
    for (String huge : List.of("1e999999999", "1e-999999999", "-9E+2147483647")) {
      assertEquals(Optional.of(new Problem(422, "INVALID_FIELD_VALUE", "Field 'amount' is a number out of range")),
          check(DEFINITION, Map.of("amount", huge)), huge);
    }
    assertEquals(Optional.empty(), check(DEFINITION, Map.of("amount", "1e1000")));
    assertEquals(Optional.of(new Problem(422, "INVALID_FIELD_VALUE", "Field 'amount' must be a number")),
        check(DEFINITION, Map.of("amount", "ten")));
  }

  @Test
  void a_regex_check_is_handed_to_a_worker_thread() throws Exception {
    // One worker thread, held busy: a check that needs a worker cannot finish until it is let go.
    Vertx oneWorker = Vertx.vertx(new VertxOptions().setWorkerPoolSize(1));
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      oneWorker.executeBlocking(() -> {
        busy.countDown();
        return release.await(10, TimeUnit.SECONDS);
      }, false);
      assertTrue(busy.await(10, TimeUnit.SECONDS));
      Future<Optional<Problem>> withRegex = FieldValidator.check(oneWorker, DEFINITION, Map.of("code", "abc", "amount", 1));
      Future<Optional<Problem>> plain = FieldValidator.check(oneWorker, NO_REGEX, Map.of("amount", "1"));
      assertTrue(plain.isComplete(), "no worker needed without a regex");
      assertFalse(withRegex.isComplete(), "the regex waits for the worker");
      release.countDown();
      assertEquals("Field 'code' does not match [A-Z]{3}", await(withRegex).orElseThrow().message());
    } finally {
      release.countDown();
      oneWorker.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  // ---- regexes at definition time

  @Test
  void a_regex_longer_than_the_cap_is_refused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FieldRegex.compile("a".repeat(1001)));
    assertEquals("is 1001 characters long; at most 1000 are allowed", e.getMessage());
    FieldRegex.compile("a".repeat(1000));
  }

  @ParameterizedTest
  @ValueSource(strings = {"(a{1000}){1000}", "((a{100}){100}){100}", "(((((a{10}){10}){10}){10}){10}){10}",
      "(\\pL{1000}){1000}", "((((a{1000}){1000}){1000}){1000}){1000}"})
  void a_regex_whose_program_would_be_huge_is_refused_before_compiling(String regex) {
    long started = System.nanoTime();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FieldRegex.compile(regex));
    assertTrue(e.getMessage().startsWith("is too complex"), e.getMessage());
    // Compiling the first one alone takes about a second; the last one would never finish.
    assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(500), "refused without compiling");
  }

  @ParameterizedTest
  @ValueSource(strings = {"(a)\\1", "(?=a)b", "(?<!a)b", "a++", "[z-a]", "(", "a{1001}"})
  void backreferences_lookaround_and_broken_syntax_do_not_compile(String regex) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FieldRegex.compile(regex));
    assertTrue(e.getMessage().startsWith("is not a valid RE2 regular expression") || e.getMessage().startsWith("is too complex"),
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[A-Z]{3}", "(.*a){12}", "^\\d{1,100}$", "[\\p{L}]{10,20}", "(?i)abc|def|ghi",
      "[^\\]]{5}", "[[:alpha:]]{50}", "\\Qa{1000}\\E", "\\x{41}{3}", "(?P<name>a|b)*c+d?e{2,}", "((a|b){3}){3}",
      "[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}", "(\\w+\\s?){1,100}x", ".{1000}"})
  void the_estimate_is_never_below_the_compiled_size(String regex) {
    assertTrue(FieldRegex.estimatedSize(regex) >= Pattern.compile(regex).programSize(),
        regex + ": estimated " + FieldRegex.estimatedSize(regex) + ", compiled " + Pattern.compile(regex).programSize());
    FieldRegex.compile(regex);
  }

  @Test
  void a_stored_regex_these_rules_refuse_still_loads_and_refuses_every_value_naming_why() {
    Definition legacy = Definition.fromJson(new JsonObject("""
        {"eventName": "Old", "description": "", "actions": [],
         "fields": [{"name": "code", "type": "string", "attributes": {"regex": "(a)\\\\1"}}]}"""));
    Problem problem = check(legacy, Map.of("code", "aa")).orElseThrow();
    assertEquals(422, problem.httpStatus());
    assertTrue(problem.message().startsWith("Field 'code' cannot be checked: its regex is not a valid RE2 regular expression"),
        problem.message());
  }

  // ---- helpers

  private Optional<Problem> check(Definition definition, Map<String, Object> values) {
    return await(onEventLoop(() -> FieldValidator.check(vertx, definition, values)));
  }

  /** Runs {@code call} on an event loop, as ingestion does, and gives back the future it returned. */
  private <T> Future<T> onEventLoop(java.util.function.Supplier<Future<T>> call) {
    Promise<Future<T>> returned = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> returned.complete(call.get()));
    return await(returned.future());
  }

  /** With a deadline: a check that backtracks for seconds fails the test instead of hanging it. */
  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer within 5 s: " + e, e);
    }
  }
}
