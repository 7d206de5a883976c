package io.tidemark.gateway.behavioral;

import java.time.Instant;

/**
 * One webhook request as the ingestion service sees it: no HTTP in it.
 *
 * @param messageId the {@code webhook-id} header, signed or not; {@code null} when absent
 * @param body the raw body bytes, exactly as received (the signature covers them)
 * @param receivedAt when the request arrived (the log entry's {@code startTime})
 * @param receivedNanos {@link System#nanoTime()} at arrival, for the log entry's {@code responseTime}
 */
record IngestRequest(String webhookId, String requestId, WebhookProof proof, String messageId, byte[] body, Instant receivedAt,
    long receivedNanos) {}
