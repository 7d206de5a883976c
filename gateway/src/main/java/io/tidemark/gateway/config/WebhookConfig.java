package io.tidemark.gateway.config;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * A webhook that ingests behavioral events into a tenant.
 *
 * @param secret the Standard Webhooks signing secret {@code whsec_<base64>}; the key is the decoded part ({@link WebhookSecret})
 * @param transformers map foreign payloads onto an event name and attributes; the first match wins
 * @param requireMapping when true, a payload no transformer matches is refused
 *     ({@code INVALID_META_TRANSFORMER_MAPPINGS}); when false it is read as {@code {"event_name": …, attributes…}}
 * @param userLocator the user a signed delivery's events belong to; {@code null} for {@link #signedUser()}'s default
 */
public record WebhookConfig(String id, String tenant, String secret, List<TransformerConfig> transformers,
    Boolean requireMapping, UUID userLocator) {

  public WebhookConfig {
    transformers = transformers == null ? List.of() : List.copyOf(transformers);
    requireMapping = requireMapping != null && requireMapping;
  }

  /**
   * The user of a signature-authenticated delivery: a signature proves the sender holds the
   * webhook's secret, not who it is, yet every stored event names a user. The configured
   * {@code userLocator}, else a name-based (version 3) UUID of {@code "tidemark-webhook:" + id}:
   * stable across restarts and instances, and computable by users
   * ({@code UUID.nameUUIDFromBytes("tidemark-webhook:<id>".getBytes(UTF_8))} in Java).
   */
  public UUID signedUser() {
    return userLocator != null ? userLocator
        : UUID.nameUUIDFromBytes(("tidemark-webhook:" + id).getBytes(StandardCharsets.UTF_8));
  }
}
