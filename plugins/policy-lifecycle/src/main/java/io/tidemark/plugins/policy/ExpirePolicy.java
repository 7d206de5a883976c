package io.tidemark.plugins.policy;

import io.tidemark.plugin.api.ScheduledEvent;
import io.tidemark.plugin.api.ScheduledEventContext;
import io.tidemark.plugin.api.ScheduledEventHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * Runs when a policy's {@code policy.expired} schedule fires: emits {@code policy.expired}, then
 * refuses to finish products that this plugin's config says need manual expiry
 * ({@code manualExpiryProducts}), which leaves a failed job for an operator to resume or delete.
 */
@Extension
public class ExpirePolicy implements ScheduledEventHandler {

  @Override
  public String customEventId() {
    return "policy.expired";
  }

  @Override
  public void handle(ScheduledEvent event, ScheduledEventContext context) {
    Map<String, Object> data = new LinkedHashMap<>(event.data());
    data.put("policyLocator", event.policyLocator());
    data.put("attempt", event.attempt());
    context.events().emit("policy.expired", data);
    List<?> manual = context.pluginConfig().get("manualExpiryProducts") instanceof List<?> list ? list : List.of();
    if (manual.contains(event.data().get("productName"))) {
      throw new IllegalStateException("product " + event.data().get("productName") + " needs manual expiry");
    }
  }
}
