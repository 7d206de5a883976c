package io.tidemark.gateway.behavioral;

import io.tidemark.gateway.store.LazyCleanup;
import io.tidemark.gateway.store.BulkInsert;
import io.tidemark.gateway.store.StoreErrors;
import io.tidemark.gateway.store.StoreWrite;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Optional;

/**
 * The webhook messages already accepted, by {@code webhook-id}: what a retry of one answers.
 * A message's row commits with its events and log entry ({@link #accepted}); its primary key
 * makes the second of two concurrent deliveries fail to commit, and that one then answers what
 * {@link #find} reads. Rows are kept 24 hours (far beyond the signature's 5-minute tolerance,
 * which already refuses older signed replays) and then deleted lazily.
 */
final class WebhookMessages {

  /** Longer than any {@code webhook-id} a sender makes (Svix: {@code msg_} + 27 characters). */
  static final int MAX_ID_LENGTH = 255;

  private static final String FIND = "SELECT m.http_status, l." + LogEntry.COLUMNS.replace(", ", ", l.")
      + " FROM webhook_message m JOIN event_log l ON l.id = m.log_entry_id"
      + " WHERE m.webhook_id = $1 AND m.message_id = $2";

  private static final BulkInsert INSERT = BulkInsert.into("webhook_message",
      "webhook_id text", "message_id text", "http_status int4", "log_entry_id uuid");

  private static final String DELETE_EXPIRED = """
      DELETE FROM webhook_message WHERE ctid IN (
        SELECT ctid FROM webhook_message WHERE accepted_at < now() - interval '24 hours' LIMIT 10000)""";

  private final Pool pool;
  private final LazyCleanup cleanup;

  WebhookMessages(Pool pool) {
    this.pool = pool;
    this.cleanup = new LazyCleanup(pool, DELETE_EXPIRED, Duration.ofMinutes(1));
  }

  /** Why a {@code webhook-id} cannot be used, or empty when it can. */
  static Optional<String> problemWith(String messageId) {
    if (messageId.isEmpty()) {
      return Optional.of("the webhook-id header is empty");
    }
    if (messageId.length() > MAX_ID_LENGTH) {
      return Optional.of("the webhook-id header is longer than " + MAX_ID_LENGTH + " characters");
    }
    if (messageId.indexOf('\0') >= 0) {
      return Optional.of("the webhook-id header contains a NUL character");
    }
    return Optional.empty();
  }

  /** The outcome of the message already accepted under this id, if any. */
  Future<Optional<IngestOutcome>> find(String webhookId, String messageId) {
    cleanup.maybeRun();
    return pool.preparedQuery(FIND).execute(Tuple.of(webhookId, messageId))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.<IngestOutcome>empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new IngestOutcome(row.getInteger("http_status"), LogEntry.fromRow(row)));
        })
        .recover(failure -> Future.failedFuture(StoreErrors.forCaller(failure)));
  }

  /** The row that marks the message accepted, to commit with its events and log entry. */
  static StoreWrite accepted(String webhookId, String messageId, int httpStatus, LogEntry entry) {
    return INSERT.row(Tuple.of(webhookId, messageId, httpStatus, entry.id()));
  }
}
