package io.tidemark.plugins.policy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Reads the fields of a JSON body (as the gateway hands it over: plain Java values) and collects
 * what is wrong with them, in field order, so that an answer can list every problem at once.
 */
final class BodyFields {

  private static final int MAX_TEXT_LENGTH = 200;
  // Outside these years a schedule cannot be stored or fired (year +999999999 parses fine).
  private static final Instant EARLIEST = Instant.EPOCH;
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private final Map<String, Object> fields;
  private final List<String> problems;

  BodyFields(Map<String, Object> body, List<String> problems) {
    this.fields = body == null ? Map.of() : body;
    this.problems = problems;
  }

  boolean has(String name) {
    return fields.get(name) != null;
  }

  String text(String name) {
    Object value = fields.get(name);
    if (value == null) {
      problems.add(name + " is missing");
      return null;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      problems.add(name + " must be a non-empty string");
      return null;
    }
    if (s.length() > MAX_TEXT_LENGTH) {
      problems.add(name + " must be at most " + MAX_TEXT_LENGTH + " characters");
      return null;
    }
    return s;
  }

  OffsetDateTime time(String name) {
    Object value = fields.get(name);
    if (value == null) {
      problems.add(name + " is missing");
      return null;
    }
    OffsetDateTime time;
    try {
      time = OffsetDateTime.parse((String) value);
    } catch (ClassCastException | DateTimeParseException e) {
      problems.add(name + " must be an ISO-8601 date-time with an offset, such as 2026-01-01T00:00:00Z");
      return null;
    }
    if (time.toInstant().isBefore(EARLIEST) || time.toInstant().isAfter(LATEST)) {
      problems.add(name + " must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
      return null;
    }
    return time;
  }

  Double number(String name) {
    Object value = fields.get(name);
    if (value == null) {
      problems.add(name + " is missing");
      return null;
    }
    if (!(value instanceof Number n)) {
      problems.add(name + " must be a number");
      return null;
    }
    if (!Double.isFinite(n.doubleValue())) {
      problems.add(name + " is a number out of range");
      return null;
    }
    return n.doubleValue();
  }

  /** A whole number from {@code min} to {@code max}. */
  Integer integer(String name, int min, int max) {
    Double value = number(name);
    if (value == null) {
      return null;
    }
    if (value != Math.rint(value) || value < min || value > max) {
      problems.add(name + " must be a whole number from " + min + " to " + max);
      return null;
    }
    return value.intValue();
  }
}
