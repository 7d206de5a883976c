package io.tidemark.plugins.policy;

import io.tidemark.plugin.api.ScheduledEvent;
import io.tidemark.plugin.api.ScheduledEventContext;
import io.tidemark.plugin.api.ScheduledEventHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * Runs when a tenant's {@code tenant.renewal_sweep} fires: emits {@code tenant.renewal_sweep},
 * then refuses to finish sweeps whose label this plugin's config lists in {@code manualSweepLabels},
 * which leaves a failed tenant job for an operator to resume or delete.
 */
@Extension
public class RunRenewalSweep implements ScheduledEventHandler {

  @Override
  public String customEventId() {
    return ScheduleRenewalSweep.CUSTOM_EVENT_ID;
  }

  @Override
  public void handle(ScheduledEvent event, ScheduledEventContext context) {
    Map<String, Object> data = new LinkedHashMap<>(event.data());
    data.put("scheduledTime", event.scheduledTime().toString());
    data.put("attempt", event.attempt());
    context.events().emit(ScheduleRenewalSweep.CUSTOM_EVENT_ID, data);
    List<?> manual = context.pluginConfig().get("manualSweepLabels") instanceof List<?> list ? list : List.of();
    if (manual.contains(event.data().get("label"))) {
      throw new IllegalStateException("renewal sweep " + event.data().get("label") + " needs a manual run");
    }
  }
}
