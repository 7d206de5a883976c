package io.tidemark.gateway.behavioral;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Checks an event's values against its definition's fields; the problem names the field. */
final class FieldValidator {

  private FieldValidator() {}

  static Optional<String> problem(Definition definition, Map<String, Object> values) {
    for (Definition.Field field : definition.fields()) {
      Object value = values.get(field.name());
      if (value == null || (value instanceof String s && s.isBlank())) {
        if (field.required()) {
          return Optional.of("Field '" + field.name() + "' is required");
        }
        continue;
      }
      Optional<String> problem = problem(field, value);
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> problem(Definition.Field field, Object value) {
    String name = "Field '" + field.name() + "'";
    switch (field.type()) {
      case "string" -> {
        if (!(value instanceof String s)) {
          return Optional.of(name + " must be a string");
        }
        Object regex = field.attributes().get("regex");
        if (regex != null && !Pattern.compile(regex.toString()).matcher(s).matches()) {
          return Optional.of(name + " does not match " + regex);
        }
      }
      case "number" -> {
        if (!(value instanceof Number) && !isDecimal(value)) {
          return Optional.of(name + " must be a number");
        }
      }
      case "boolean" -> {
        if (!(value instanceof Boolean) && !(value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")))) {
          return Optional.of(name + " must be true or false");
        }
      }
      case "date" -> {
        if (LogDates.value(value).isEmpty()) {
          return Optional.of(name + " must be a date such as 2025-05-08 17:33:01");
        }
      }
      case "enum" -> {
        List<?> allowed = (List<?>) field.attributes().getOrDefault("enumValues", List.of());
        if (!allowed.contains(value.toString())) {
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

  private static boolean isDecimal(Object value) {
    try {
      new BigDecimal(value.toString().trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
