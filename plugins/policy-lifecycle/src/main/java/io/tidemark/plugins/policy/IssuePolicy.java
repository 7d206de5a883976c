package io.tidemark.plugins.policy;

import io.tidemark.plugin.api.Operation;
import io.tidemark.plugin.api.OperationContext;
import io.tidemark.plugin.api.OperationException;
import io.tidemark.plugin.api.OperationResult;
import io.tidemark.plugin.api.Schedule;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /policy/{tenantLocator}/policies}: underwrites a policy and issues it.
 *
 * <p>Always emits {@code policy.underwriting_checked} first, so that a rejected application
 * leaves its underwriting decision in the stream; a valid one then emits {@code policy.issued}
 * and schedules {@code policy.expired} for the policy at its {@code endTime}.
 */
@Extension
public class IssuePolicy implements Operation {

  private static final Logger LOG = LoggerFactory.getLogger(IssuePolicy.class);

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
      LOG.info("policy application rejected: {}", reasons);
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

    static PolicyApplication read(Map<String, Object> body) {
      List<String> problems = new ArrayList<>();
      if (body == null) {
        problems.add("the body must be a JSON object with productName, startTime, endTime and premium");
      }
      BodyFields fields = new BodyFields(body, problems);
      String productName = fields.text("productName");
      OffsetDateTime start = fields.time("startTime");
      OffsetDateTime end = fields.time("endTime");
      Double premium = fields.number("premium");
      if (premium != null && premium <= 0) {
        problems.add("premium must be greater than 0");
      }
      if (start != null && end != null && !end.isAfter(start)) {
        problems.add("endTime must be after startTime");
      }
      return new PolicyApplication(productName, start, end, premium, List.copyOf(problems));
    }
  }
}
