package io.tidemark.plugin.api;

import java.util.Map;
import java.util.UUID;

/** What a processor knows about the ingestion it serves. */
public interface ProcessorContext {

  UUID tenantLocator();

  int orgId();

  /** The ingestion call's request id; emitted events are stored under it. */
  String requestId();

  /** The webhook the event came through. */
  String webhookId();

  /** This plugin's section of the gateway config; empty if none. */
  Map<String, Object> pluginConfig();

  /** Emits events into the tenant's stream; kept even when processing fails. */
  EventEmitter events();
}
