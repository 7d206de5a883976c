package io.tidemark.plugins.loyalty;

import io.tidemark.plugin.api.BehavioralEvent;
import io.tidemark.plugin.api.BehavioralEventProcessor;
import io.tidemark.plugin.api.EventField;
import io.tidemark.plugin.api.ProcessorContext;
import io.tidemark.plugin.api.ProcessorResult;
import org.pf4j.Extension;

/** Rejects an event that carries no value in any of its {@code customer} fields. */
@Extension
public class CustomerIdentification implements BehavioralEventProcessor {

  @Override
  public String id() {
    return "customer-identification";
  }

  @Override
  public ProcessorResult process(BehavioralEvent event, ProcessorContext context) {
    return Customers.identified(event)
        ? ProcessorResult.accept()
        : ProcessorResult.reject("NO_CUSTOMER_DETAILS_PASSED", "Customer details not passed");
  }

  /** Whether any customer field has a value. */
  static final class Customers {
    private Customers() {}

    static boolean identified(BehavioralEvent event) {
      for (EventField field : event.fieldsOfType("customer")) {
        Object value = event.attributes().get(field.name());
        if (value != null && !value.toString().isBlank()) {
          return true;
        }
      }
      return false;
    }
  }
}
