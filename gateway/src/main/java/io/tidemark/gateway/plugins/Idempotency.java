package io.tidemark.gateway.plugins;

import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.store.LazyCleanup;
import io.tidemark.gateway.store.StoreErrors;
import io.tidemark.gateway.store.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code Idempotency-Key} on plugin routes, per tenant and user, kept 24 hours. A request with a
 * key first claims it (a row without a response, in its own statement), then runs the operation;
 * the response is recorded in the same transaction as the call's events, so a replayed answer
 * exists exactly when the call's events do. Another request with that key then:
 * <ul>
 *   <li>gets the recorded response again, without the plugin being called, when it is the same
 *       request (SHA-256 of method, URI and body);</li>
 *   <li>gets 422 {@code IDEMPOTENCY_KEY_REUSED} when it is a different request;</li>
 *   <li>gets 409 {@code IDEMPOTENCY_KEY_IN_PROGRESS} with {@code Retry-After} while the first still runs.</li>
 * </ul>
 * A call that never ran or could not be stored (503, a store failure) releases its claim, so
 * that a retry runs it. A claim left by a gateway that died mid-call is taken over after 10 minutes.
 */
final class Idempotency {

  static final String HEADER = "Idempotency-Key";
  static final int MAX_KEY_LENGTH = 255;
  /** Long enough for any call to finish (route timeouts are seconds), short enough to unstick a key. */
  static final String ABANDONED_AFTER = "10 minutes";

  private static final String CLAIM = """
      INSERT INTO idempotency_key AS k (tenant_locator, user_locator, idempotency_key, request_hash)
      VALUES ($1, $2, $3, $4)
      ON CONFLICT (tenant_locator, user_locator, idempotency_key) DO UPDATE
         SET request_hash = excluded.request_hash, claimed_at = now(), status = NULL, headers = NULL,
             body = NULL, error_code = NULL, error_message = NULL
       WHERE k.claimed_at < now() - interval '24 hours'
          OR (k.status IS NULL AND k.claimed_at < now() - interval '""" + ABANDONED_AFTER + "')\n"
      + "RETURNING 1";

  private static final String FIND = """
      SELECT request_hash, status, headers, body, error_code, error_message FROM idempotency_key
       WHERE tenant_locator = $1 AND user_locator = $2 AND idempotency_key = $3""";

  private static final String COMPLETE = """
      UPDATE idempotency_key SET status = $4, headers = $5, body = $6, error_code = $7, error_message = $8
       WHERE tenant_locator = $1 AND user_locator = $2 AND idempotency_key = $3""";

  private static final String RELEASE = """
      DELETE FROM idempotency_key
       WHERE tenant_locator = $1 AND user_locator = $2 AND idempotency_key = $3 AND status IS NULL""";

  private static final String DELETE_EXPIRED = """
      DELETE FROM idempotency_key WHERE ctid IN (
        SELECT ctid FROM idempotency_key WHERE claimed_at < now() - interval '24 hours' LIMIT 10000)""";

  /** A key as one caller sent it with one request. */
  record Key(UUID tenantLocator, UUID userLocator, String key, byte[] requestHash) {
    Tuple id() {
      return Tuple.of(tenantLocator, userLocator, key);
    }
  }

  /**
   * An operation's answer as recorded: a result (status, the plugin's headers, the JSON body or
   * {@code null}), or an error the failure handler writes ({@code errorCode} not null).
   */
  record Recorded(int status, Map<String, String> headers, String body, String errorCode, String errorMessage,
      Long retryAfterSeconds) {

    Recorded(int status, Map<String, String> headers, String body, String errorCode, String errorMessage) {
      this(status, headers, body, errorCode, errorMessage, null);
    }

    /** Retry-After is kept for the fresh answer only: the answers that carry it (503) are never recorded. */
    static Recorded of(ApiException error) {
      return new Recorded(error.status(), Map.of(), null, error.code(), error.getMessage(), error.retryAfterSeconds());
    }

    boolean isError() {
      return errorCode != null;
    }

    ApiException asError() {
      ApiException error = new ApiException(status, errorCode, errorMessage);
      return retryAfterSeconds == null ? error : error.retryAfter(retryAfterSeconds);
    }
  }

  enum State { CLAIMED, COMPLETED, IN_PROGRESS, REUSED }

  /** What a claim found: {@code recorded} is set when {@code state} is {@code COMPLETED}. */
  record Claim(State state, Recorded recorded) {}

  private final Pool pool;
  private final LazyCleanup cleanup;

  Idempotency(Pool pool) {
    this.pool = pool;
    this.cleanup = new LazyCleanup(pool, DELETE_EXPIRED, Duration.ofMinutes(1));
  }

  /** The key of a request; 400 when the header's value cannot be one. */
  static Key key(UUID tenantLocator, UUID userLocator, String header, String method, String uri, String body) {
    if (header.isEmpty() || header.length() > MAX_KEY_LENGTH) {
      throw new ApiException(400, "INVALID_IDEMPOTENCY_KEY",
          "Invalid header '" + HEADER + "': it must have 1 to " + MAX_KEY_LENGTH + " characters");
    }
    if (header.indexOf('\0') >= 0) {
      throw new ApiException(400, "INVALID_IDEMPOTENCY_KEY", "Invalid header '" + HEADER + "': it contains a NUL character");
    }
    return new Key(tenantLocator, userLocator, header, hash(method, uri, body));
  }

  private static byte[] hash(String method, String uri, String body) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      // Lengths first, so that no two (method, URI, body) triples hash the same bytes.
      String framed = method.length() + ":" + method + uri.length() + ":" + uri + (body == null ? "" : body);
      return sha256.digest(framed.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Claims the key for this request, or says why it cannot run: recorded, running, or another request's. */
  Future<Claim> claim(Key key) {
    cleanup.maybeRun();
    return pool.preparedQuery(CLAIM).execute(key.id().addValue(Buffer.buffer(key.requestHash())))
        .compose(claimed -> claimed.size() == 1
            ? Future.succeededFuture(new Claim(State.CLAIMED, null))
            : pool.preparedQuery(FIND).execute(key.id()).map(rows -> held(key, rows.size() == 0 ? null : rows.iterator().next())))
        .recover(failure -> Future.failedFuture(StoreErrors.forCaller(failure)));
  }

  private static Claim held(Key key, Row row) {
    if (row == null) {
      // Released (its call failed to run) between our claim and this read: the client may retry at once.
      return new Claim(State.IN_PROGRESS, null);
    }
    if (!Arrays.equals(row.getBuffer("request_hash").getBytes(), key.requestHash())) {
      return new Claim(State.REUSED, null);
    }
    if (row.getInteger("status") == null) {
      return new Claim(State.IN_PROGRESS, null);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    JsonObject stored = (JsonObject) row.getValue("headers");
    if (stored != null) {
      stored.forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return new Claim(State.COMPLETED, new Recorded(row.getInteger("status"), headers, row.getString("body"),
        row.getString("error_code"), row.getString("error_message")));
  }

  /** The answer's record, to commit with the call's events. */
  static StoreWrite completed(Key key, Recorded answer) {
    JsonObject headers = new JsonObject();
    answer.headers().forEach(headers::put);
    return new StoreWrite(COMPLETE, key.id().addValue(answer.status()).addValue(headers).addValue(answer.body())
        .addValue(answer.errorCode()).addValue(answer.errorMessage()));
  }

  /** Gives the key up after a call that did not run or was not stored; best effort (it expires anyway). */
  Future<Void> release(Key key) {
    return pool.preparedQuery(RELEASE).execute(key.id()).<Void>mapEmpty()
        .recover(failure -> Future.failedFuture(StoreErrors.forCaller(failure)));
  }

  static ApiException reused() {
    return new ApiException(422, "IDEMPOTENCY_KEY_REUSED",
        "Idempotency-Key was already used with a different request (method, path or body) in the last 24 hours");
  }

  static ApiException inProgress() {
    return new ApiException(409, "IDEMPOTENCY_KEY_IN_PROGRESS",
        "A request with this Idempotency-Key is still being processed; retry later").retryAfter(1);
  }
}
