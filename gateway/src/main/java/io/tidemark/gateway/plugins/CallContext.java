package io.tidemark.gateway.plugins;

import io.tidemark.plugin.api.EventEmitter;
import io.tidemark.plugin.api.EventScheduler;
import io.tidemark.plugin.api.OperationContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The {@link OperationContext} of one call; immutable but for its emitter. */
record CallContext(
    UUID tenantLocator,
    int orgId,
    UUID userLocator,
    String requestId,
    Map<String, String> pathParameters,
    Map<String, List<String>> queryParameters,
    Map<String, Object> body,
    String rawBody,
    Map<String, Object> pluginConfig,
    CallEmitter emitter,
    EventScheduler scheduler) implements OperationContext {

  @Override
  public EventEmitter events() {
    return emitter;
  }
}
