package io.tidemark.plugins.policy;

import io.tidemark.plugin.api.Operation;
import io.tidemark.plugin.api.OperationContext;
import io.tidemark.plugin.api.OperationException;
import io.tidemark.plugin.api.OperationResult;
import io.tidemark.plugin.api.Schedule;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.pf4j.Extension;

/**
 * {@code POST /policy/{tenantLocator}/policies}: underwrites a policy and issues it.
 *
 * <p>Always emits {@code policy.underwriting_checked} first, so that a rejected application
 * leaves its underwriting decision in the stream; a valid one then emits {@code policy.issued}
 * and schedules {@code policy.expired} for the policy at its {@code endTime}.
 */
@Extension
public class IssuePolicy implements Operation {

  @Override
  public String name() {
    return "issue-policy";
  }

  @Override
  public OperationResult execute(OperationContext context) {
    PolicyApplication application = PolicyApplication.read(context.body());
    List<String> reasons = application.problems();

    Map<String, Object> decision = new LinkedHashMap<>();
    decision.put("decision", reasons.isEmpty() ? "accept" : "reject");
    decision.put("reasons", reasons);
    context.events().emit("policy.underwriting_checked", decision);

    if (!reasons.isEmpty()) {
      throw new OperationException(422, "POLICY_REJECTED", "Policy rejected: " + String.join("; ", reasons));
    }

    String policyLocator = UUID.randomUUID().toString();
    Map<String, Object> issued = new LinkedHashMap<>();
    issued.put("policyLocator", policyLocator);
    issued.put("productName", application.productName());
    issued.put("startTime", application.startTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    issued.put("endTime", application.endTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    issued.put("premium", application.premium());
    context.events().emit("policy.issued", issued);

    // The expiry fires at the end of the term; with no handler registered the gateway appends
    // the event itself, under a request id of the firing's own.
    context.scheduler().schedule(Schedule.forPolicy(policyLocator, "policy.expired", application.endTime().toInstant())
        .withData(Map.of("policyLocator", policyLocator, "productName", application.productName())));

    return OperationResult.created(Map.of("policyLocator", policyLocator));
  }

  /** The body as an application; {@link #problems()} lists what is wrong with it, in field order. */
  record PolicyApplication(String productName, OffsetDateTime startTime, OffsetDateTime endTime, Double premium,
      List<String> problems) {

    private static final int MAX_TEXT_LENGTH = 200;
    private static final java.time.Instant EARLIEST = java.time.Instant.EPOCH;
    private static final java.time.Instant LATEST = java.time.Instant.parse("9999-12-31T23:59:59Z");

    static PolicyApplication read(Map<String, Object> body) {
      List<String> problems = new ArrayList<>();
      Map<String, Object> fields = body == null ? Map.of() : body;
      if (body == null) {
        problems.add("the body must be a JSON object with productName, startTime, endTime and premium");
      }
      String productName = text(fields, "productName", problems);
      OffsetDateTime start = time(fields, "startTime", problems);
      OffsetDateTime end = time(fields, "endTime", problems);
      Double premium = number(fields, "premium", problems);
      if (premium != null && premium <= 0) {
        problems.add("premium must be greater than 0");
      }
      if (start != null && end != null && !end.isAfter(start)) {
        problems.add("endTime must be after startTime");
      }
      return new PolicyApplication(productName, start, end, premium, List.copyOf(problems));
    }

    private static String text(Map<String, Object> fields, String name, List<String> problems) {
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

    private static OffsetDateTime time(Map<String, Object> fields, String name, List<String> problems) {
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
      // Outside these years a schedule cannot be stored or fired (year +999999999 parses fine).
      if (time.toInstant().isBefore(EARLIEST) || time.toInstant().isAfter(LATEST)) {
        problems.add(name + " must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
        return null;
      }
      return time;
    }

    private static Double number(Map<String, Object> fields, String name, List<String> problems) {
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
  }
}
