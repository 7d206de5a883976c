package io.tidemark.plugin.api;

import org.pf4j.ExtensionPoint;

/**
 * Runs when a scheduled event of its {@link #customEventId()} fires, on the plugin's threads with
 * a time limit. With no handler for an event, the gateway appends the event itself
 * ({@code type} = custom event id, {@code data} = the schedule's data).
 *
 * <p>Throwing (or timing out) records a failed job: retried with exponential backoff
 * ({@code queued}) until the configured attempts are spent ({@code quit}). Events emitted
 * through the context are appended either way, under the firing's own request id.
 */
public interface ScheduledEventHandler extends ExtensionPoint {

  String customEventId();

  void handle(ScheduledEvent event, ScheduledEventContext context) throws Exception;
}
