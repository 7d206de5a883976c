package io.tidemark.gateway.behavioral;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks an event's values against its definition's fields; every problem names the field.
 *
 * <p>All work here is bounded: values longer than their type's cap are refused before anything
 * parses them ({@code new BigDecimal} of a million digits takes seconds), and regexes, whose
 * cost grows with pattern size times value length, run on a worker thread, never on the event
 * loop. Checks without a regex stay on the caller's thread.
 */
final class FieldValidator {

  /** The longest value of a {@code string} field, in characters (UTF-16 units). */
  static final int MAX_STRING_CHARS = 65_536;
  /** The longest value of a {@code number} field, as JSON number or string. */
  static final int MAX_NUMBER_CHARS = 100;
  /** The longest value of a {@code date} field. */
  static final int MAX_DATE_CHARS = 100;
  /**
   * The most regex work one event may ask for: the sum over its regex-checked values of length
   * times program size. RE2 is linear, but {@code (.*a){800}} against 65,536 characters is
   * still 260 million steps (10 s of a worker); this keeps an event to a fraction of a second.
   */
  static final long MAX_REGEX_STEPS = 10_000_000;
  // What PostgreSQL's numeric keeps: 131072 digits before the point, 16383 after it.
  private static final int NUMERIC_INTEGER_DIGITS = 131_072;
  private static final int NUMERIC_FRACTION_DIGITS = 16_383;

  /**
   * Why an event's values were refused.
   *
   * @param httpStatus 400 for a value too large to check, 422 for one that breaks its field
   * @param status the log entry's status
   */
  record Problem(int httpStatus, String status, String message) {

    static Problem tooLarge(String message) {
      return new Problem(400, "INVALID_PAYLOAD", "Invalid payload: " + message);
    }

    static Problem invalid(String message) {
      return new Problem(422, "INVALID_FIELD_VALUE", message);
    }
  }

  private record RegexCheck(Definition.Field field, FieldRegex regex, String value) {}

  private FieldValidator() {}

  /**
   * The first problem, in the definition's field order (an oversized value first of all), or
   * empty when the values are valid. Regex matching runs on a worker ({@code executeBlocking},
   * unordered); without a regex to run the future is complete on return.
   */
  static Future<Optional<Problem>> check(Vertx vertx, Definition definition, Map<String, Object> values) {
    Optional<Problem> oversized = oversized(definition, values);
    if (oversized.isPresent()) {
      return Future.succeededFuture(oversized);
    }
    List<RegexCheck> regexes = new ArrayList<>();
    Optional<Problem> otherwise = Optional.empty();
    for (Definition.Field field : definition.fields()) {
      Object value = values.get(field.name());
      if (value == null || (value instanceof String s && s.isBlank())) {
        if (field.required()) {
          otherwise = Optional.of(Problem.invalid("Field '" + field.name() + "' is required"));
          break;
        }
        continue;
      }
      if (field.regex().isPresent() && value instanceof String s) {
        // Checked after the loop, off this thread; it comes before any later field's problem.
        regexes.add(new RegexCheck(field, field.regex().get(), s));
        continue;
      }
      Optional<String> problem = problem(field, value);
      if (problem.isPresent()) {
        otherwise = problem.map(Problem::invalid);
        break;
      }
    }
    if (regexes.isEmpty()) {
      return Future.succeededFuture(otherwise);
    }
    Optional<Problem> afterRegexes = otherwise;
    return vertx.executeBlocking(() -> firstMismatch(regexes).or(() -> afterRegexes), false);
  }

  /** A value longer than its field type's cap: refused unread, whatever else is wrong. */
  private static Optional<Problem> oversized(Definition definition, Map<String, Object> values) {
    for (Definition.Field field : definition.fields()) {
      Object value = values.get(field.name());
      int cap = switch (field.type()) {
        case "string" -> MAX_STRING_CHARS;
        case "number" -> MAX_NUMBER_CHARS;
        case "date" -> MAX_DATE_CHARS;
        default -> -1;
      };
      // Only strings and numbers can be long; a number's text is at most 1,000 digits (the JSON parser's limit).
      int length = value instanceof String s ? s.length()
          : value instanceof Number n && cap > 0 ? n.toString().length() : 0;
      if (cap > 0 && length > cap) {
        return Optional.of(Problem.tooLarge("field '" + field.name() + "' is " + length + " characters long; a "
            + field.type() + " field takes at most " + cap));
      }
    }
    return tooMuchRegexWork(definition, values);
  }

  /** Values that would cost the regexes more than {@link #MAX_REGEX_STEPS}, naming the field where the sum passes it. */
  private static Optional<Problem> tooMuchRegexWork(Definition definition, Map<String, Object> values) {
    long steps = 0;
    for (Definition.Field field : definition.fields()) {
      if (field.regex().isPresent() && values.get(field.name()) instanceof String s) {
        int size = field.regex().get().programSize();
        steps += (long) s.length() * size;
        if (steps > MAX_REGEX_STEPS) {
          return Optional.of(Problem.tooLarge("field '" + field.name() + "' is too long to check against its regex ("
              + s.length() + " characters times " + size + " instructions; an event's regex checks may take at most "
              + MAX_REGEX_STEPS + " steps)"));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Problem> firstMismatch(List<RegexCheck> checks) {
    for (RegexCheck check : checks) {
      String name = "Field '" + check.field().name() + "'";
      Optional<String> unusable = check.regex().unusable();
      if (unusable.isPresent()) {
        return Optional.of(Problem.invalid(name + " cannot be checked: its regex " + unusable.get()
            + "; redefine the event"));
      }
      if (!check.regex().matches(check.value())) {
        return Optional.of(Problem.invalid(name + " does not match " + check.regex().source()));
      }
    }
    return Optional.empty();
  }

  /** What is wrong with a present value, apart from its regex; quick for any value within the caps. */
  private static Optional<String> problem(Definition.Field field, Object value) {
    String name = "Field '" + field.name() + "'";
    switch (field.type()) {
      case "string" -> {
        if (!(value instanceof String)) {
          return Optional.of(name + " must be a string");
        }
      }
      case "number" -> {
        if (!(value instanceof Number) && !(value instanceof String s && isDecimal(s))) {
          return Optional.of(name + " must be a number");
        }
        if (!fitsNumeric(value)) {
          return Optional.of(name + " is a number out of range");
        }
      }
      case "boolean" -> {
        if (!(value instanceof Boolean) && !(value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")))) {
          return Optional.of(name + " must be true or false");
        }
      }
      case "date" -> {
        if (!(value instanceof String || value instanceof Number) || LogDates.value(value).isEmpty()) {
          return Optional.of(name + " must be a date such as 2025-05-08 17:33:01");
        }
      }
      case "enum" -> {
        List<?> allowed = (List<?>) field.attributes().getOrDefault("enumValues", List.of());
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)
            || !allowed.contains(value.toString())) {
          return Optional.of(name + " must be one of " + allowed + ", got " + value);
        }
      }
      case "customer" -> {
        if (!(value instanceof String) && !(value instanceof Number)) {
          return Optional.of(name + " must be a customer identifier (a string or a number)");
        }
      }
      default -> {
        return Optional.of(name + " has an unknown type " + field.type());
      }
    }
    return Optional.empty();
  }

  /** A decimal's text; only ever called on at most {@link #MAX_NUMBER_CHARS} characters. */
  private static boolean isDecimal(String value) {
    try {
      new BigDecimal(value.trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Whether a PostgreSQL {@code numeric} could hold it: {@code "1e999999999"} is short and
   * parses at once, but is no number anyone can compute with (a plugin's
   * {@code toBigInteger()} of it would never return).
   */
  private static boolean fitsNumeric(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof BigInteger
        || value instanceof Double || value instanceof Float) {
      return true; // a JSON number: finite and at most 1,000 digits, checked by the body parser
    }
    BigDecimal d = value instanceof BigDecimal b ? b : new BigDecimal(value.toString().trim());
    if (d.signum() == 0) {
      return true;
    }
    long integerDigits = (long) d.precision() - d.scale();
    return integerDigits <= NUMERIC_INTEGER_DIGITS && d.scale() <= NUMERIC_FRACTION_DIGITS;
  }
}
