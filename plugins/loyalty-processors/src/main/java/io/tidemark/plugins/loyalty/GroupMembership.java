package io.tidemark.plugins.loyalty;

import io.tidemark.plugin.api.BehavioralEvent;
import io.tidemark.plugin.api.BehavioralEventProcessor;
import io.tidemark.plugin.api.EventField;
import io.tidemark.plugin.api.ProcessorContext;
import io.tidemark.plugin.api.ProcessorResult;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * Checks the values of an event's {@code enum} fields against the customer groups of this
 * plugin's config ({@code groups: [customerUserGroup, premiumUserGroup]}), and that there is a
 * customer to put in the group. Emits {@code customer.group_joined} when both hold.
 */
@Extension
public class GroupMembership implements BehavioralEventProcessor {

  @Override
  public String id() {
    return "group-membership";
  }

  @Override
  public ProcessorResult process(BehavioralEvent event, ProcessorContext context) {
    List<?> groups = context.pluginConfig().get("groups") instanceof List<?> list ? list : List.of();
    for (EventField field : event.fieldsOfType("enum")) {
      Object value = event.attributes().get(field.name());
      if (value == null) {
        continue;
      }
      if (!groups.contains(value.toString())) {
        return ProcessorResult.reject("INVALID_GROUP_IDENTIFIER_PASSED", "Invalid group identifier passed " + value);
      }
      if (!CustomerIdentification.Customers.identified(event)) {
        return ProcessorResult.reject("USER_NOT_IN_GROUP", "User does not belong to group " + value);
      }
      context.events().emit("customer.group_joined", Map.of("group", value.toString()));
    }
    return ProcessorResult.accept();
  }
}
