package io.tidemark.gateway.behavioral;

import io.tidemark.plugin.api.EventEmitter;
import io.tidemark.plugin.api.ProcessorContext;
import java.util.Map;
import java.util.UUID;

/** The {@link ProcessorContext} of one processor's part in one ingestion. */
record ProcessorCallContext(UUID tenantLocator, int orgId, String requestId, String webhookId,
    Map<String, Object> pluginConfig, EventEmitter events) implements ProcessorContext {}
