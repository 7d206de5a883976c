package io.tidemark.gateway.behavioral;

import io.tidemark.gateway.security.Caller;
import java.util.Optional;

/** What a webhook request offers as proof of who sent it: a signature, or Basic credentials. */
sealed interface WebhookProof {

  /** The Standard Webhooks headers as sent (any may be null). */
  record Signature(String id, String timestamp, String signatures) implements WebhookProof {}

  /** The user behind the request's Basic credentials; empty when there were none or they were wrong. */
  record Basic(Optional<Caller> caller) implements WebhookProof {}
}
