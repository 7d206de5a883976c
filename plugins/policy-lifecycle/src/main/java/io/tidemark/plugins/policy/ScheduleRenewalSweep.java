package io.tidemark.plugins.policy;

import io.tidemark.plugin.api.Operation;
import io.tidemark.plugin.api.OperationContext;
import io.tidemark.plugin.api.OperationException;
import io.tidemark.plugin.api.OperationResult;
import io.tidemark.plugin.api.Schedule;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * {@code POST /policy/{tenantLocator}/renewal-sweeps}: schedules a renewal sweep of the whole
 * tenant, a tenant event ({@code tenant.renewal_sweep}) rather than one policy's, once or
 * repeating. Emits {@code tenant.renewal_sweep_scheduled} and answers the schedule's trigger, the
 * name the failed-job endpoints take.
 */
@Extension
public class ScheduleRenewalSweep implements Operation {

  static final String CUSTOM_EVENT_ID = "tenant.renewal_sweep";
  private static final String DEFAULT_LABEL = "renewal-sweep";
  private static final int MAX_REPEAT_MINUTES = 527_040; // a leap year
  private static final int MAX_REPEAT_COUNT = 1000;

  @Override
  public String name() {
    return "schedule-renewal-sweep";
  }

  @Override
  public OperationResult execute(OperationContext context) {
    Sweep sweep = Sweep.read(context.body());
    if (!sweep.problems().isEmpty()) {
      throw new OperationException(400, "INVALID_RENEWAL_SWEEP",
          "Renewal sweep refused: " + String.join("; ", sweep.problems()));
    }
    Schedule schedule = Schedule.forTenant(CUSTOM_EVENT_ID, sweep.runAt().toInstant()).withData(Map.of("label", sweep.label()));
    if (sweep.repeatEveryMinutes() != null) {
      schedule = schedule.repeating(Duration.ofMinutes(sweep.repeatEveryMinutes()), sweep.repeatCount());
    }
    String triggerName = context.scheduler().schedule(schedule);

    Map<String, Object> scheduled = new LinkedHashMap<>();
    scheduled.put("triggerName", triggerName);
    scheduled.put("label", sweep.label());
    scheduled.put("runAt", sweep.runAt().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    if (sweep.repeatEveryMinutes() != null) {
      scheduled.put("repeatEveryMinutes", sweep.repeatEveryMinutes());
      scheduled.put("repeatCount", sweep.repeatCount());
    }
    context.events().emit("tenant.renewal_sweep_scheduled", scheduled);

    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("triggerName", triggerName);
    answer.put("triggerGroup", context.tenantLocator().toString());
    answer.put("customEventId", CUSTOM_EVENT_ID);
    answer.put("runAt", scheduled.get("runAt"));
    return OperationResult.created(answer);
  }

  /** The body as a sweep request; {@link #problems()} lists what is wrong with it, in field order. */
  record Sweep(OffsetDateTime runAt, String label, Integer repeatEveryMinutes, int repeatCount, List<String> problems) {

    static Sweep read(Map<String, Object> body) {
      List<String> problems = new ArrayList<>();
      if (body == null) {
        problems.add("the body must be a JSON object with runAt");
      }
      BodyFields fields = new BodyFields(body, problems);
      OffsetDateTime runAt = fields.time("runAt");
      String label = fields.has("label") ? fields.text("label") : DEFAULT_LABEL;
      Integer every = fields.has("repeatEveryMinutes") ? fields.integer("repeatEveryMinutes", 1, MAX_REPEAT_MINUTES) : null;
      Integer count = fields.has("repeatCount") ? fields.integer("repeatCount", 0, MAX_REPEAT_COUNT) : null;
      if (fields.has("repeatCount") && !fields.has("repeatEveryMinutes")) {
        problems.add("repeatCount needs repeatEveryMinutes");
      }
      return new Sweep(runAt, label, every, count == null ? 0 : count, List.copyOf(problems));
    }
  }
}
