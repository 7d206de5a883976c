package io.tidemark.gateway.config;

import java.util.List;

/**
 * A webhook that ingests behavioral events into a tenant.
 *
 * @param secret the Standard Webhooks signing secret {@code whsec_<base64>}; the key is the decoded part ({@link WebhookSecret})
 * @param transformers map foreign payloads onto an event name and attributes; the first match wins
 * @param requireMapping when true, a payload no transformer matches is refused
 *     ({@code INVALID_META_TRANSFORMER_MAPPINGS}); when false it is read as {@code {"event_name": …, attributes…}}
 */
public record WebhookConfig(String id, String tenant, String secret, List<TransformerConfig> transformers,
    Boolean requireMapping) {

  public WebhookConfig {
    transformers = transformers == null ? List.of() : List.copyOf(transformers);
    requireMapping = requireMapping != null && requireMapping;
  }
}
