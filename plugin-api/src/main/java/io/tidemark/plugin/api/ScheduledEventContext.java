package io.tidemark.plugin.api;

import java.util.Map;

/** What a scheduled event handler can use. */
public interface ScheduledEventContext {

  /** The firing's own request id; emitted events are stored under it. */
  String requestId();

  /** This plugin's section of the gateway config. */
  Map<String, Object> pluginConfig();

  EventEmitter events();

  /** To schedule follow-up events in the same tenant. */
  EventScheduler scheduler();
}
