package io.tidemark.gateway.http;

import io.tidemark.gateway.security.AccessDenied;
import io.tidemark.gateway.security.LoginThrottled;
import io.tidemark.gateway.store.StoreConflict;
import io.tidemark.gateway.store.StoreErrors;
import io.tidemark.gateway.store.StoreFailure;
import io.tidemark.gateway.store.StoreRefusedData;
import io.tidemark.gateway.store.StoreUnavailable;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a failure into an HTTP error. {@code /v2/...} answers in the
 * {@code {data, warnings, errors}} envelope, everything else with {@code {message, code}}.
 * An unexpected exception is logged with the request id and never echoed to the client.
 *
 * <p>The layers below have their own error types ({@code store.StoreFailure},
 * {@code security.AccessDenied}, {@code security.LoginThrottled}) and know nothing of HTTP; this
 * is where each gets its status, code and headers.
 */
public final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);
  public static final String BASIC_CHALLENGE = "Basic realm=\"tidemark\"";
  /** The database is usually back within moments (a failover, a full pool): ask for a quick retry. */
  public static final long STORE_RETRY_AFTER_SECONDS = 1;
  private static final int MAX_CAUSES = 32;
  /**
   * The {@code /v2} family's 401 message, word for word as its clients know it: one message for
   * a missing and a wrong credential alike, so that it tells an attacker nothing.
   */
  public static final String V2_UNAUTHORIZED = "Please check your username/password or authentication token";

  private final long maxBodyBytes;

  public FailureHandler(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      // Too late for an error body; closing tells the client the response is incomplete.
      LOG.warn("request {} failed after its response started", RequestIds.of(ctx), ctx.failure());
      ctx.response().reset();
      return;
    }
    ApiException error = toApiException(ctx);
    if (error.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", BASIC_CHALLENGE);
    }
    if (error.retryAfterSeconds() != null) {
      ctx.response().putHeader("Retry-After", Long.toString(error.retryAfterSeconds()));
    }
    // Over the limit, the rest of the body is never read: the connection cannot go on. (A body
    // left unread by a refused login is dropped by Access, and the connection goes on.)
    boolean closing = error.status() == 413 && LingeringClose.needed(ctx.request());
    if (closing) {
      ctx.response().putHeader("Connection", "close");
    }
    ctx.response()
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json")
        .end(body(ctx.normalizedPath().startsWith("/v2/"), error).encode())
        .onComplete(written -> {
          if (closing) {
            LingeringClose.after(ctx.vertx(), ctx.request());
          }
        });
  }

  /** The error body: the {@code /v2} envelope, or {@code {message, code}}. */
  static JsonObject body(boolean v2, ApiException error) {
    return v2 ? v2Envelope(error) : plain(error);
  }

  private ApiException toApiException(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof HttpException http) {
      return fromStatus(ctx, http.getStatusCode());
    }
    if (failure == null) {
      return fromStatus(ctx, ctx.statusCode());
    }
    if (failure instanceof AccessDenied denied) {
      return fromAccess(denied);
    }
    if (failure instanceof LoginThrottled throttled) {
      return new ApiException(429, "TOO_MANY_FAILED_LOGINS", throttled.getMessage())
          .retryAfter(throttled.retryAfterSeconds());
    }
    if (failure instanceof StoreRefusedData refused) {
      // Boundary checks should have caught it; the request's data is at fault, not the gateway.
      LOG.warn("request {}: the store refused its data (SQLSTATE {})", RequestIds.of(ctx), refused.sqlState());
      return fromStore(refused);
    }
    if (failure instanceof StoreFailure translated) {
      // Translated already by the store's caller, as an ApiException was before: nothing new to log.
      return fromStore(translated);
    }
    ApiException store = translate(failure);
    if (store != null) {
      LOG.warn("request {}: store failure: {}", RequestIds.of(ctx), failure.toString());
      return store;
    }
    LOG.error("request {} failed unexpectedly", RequestIds.of(ctx), failure);
    return internal(ctx);
  }

  private ApiException fromStatus(RoutingContext ctx, int status) {
    return switch (status) {
      case 400 -> ApiException.badBody("malformed request");
      case 401 -> ApiException.unauthorized();
      case 403 -> ApiException.forbidden("Forbidden");
      case 404 -> ApiException.notFound("No such resource: " + ctx.request().method() + " " + ctx.normalizedPath());
      case 405 -> new ApiException(405, "METHOD_NOT_ALLOWED",
          "Method " + ctx.request().method() + " is not allowed on " + ctx.normalizedPath());
      case 413 -> new ApiException(413, "BODY_TOO_LARGE",
          "Request body is larger than the limit of " + maxBodyBytes + " bytes");
      case 503 -> fromStore(new StoreUnavailable());
      default -> status >= 400 && status < 500
          ? new ApiException(status, "CLIENT_ERROR", "Request rejected")
          : internal(ctx);
    };
  }

  /**
   * The HTTP meaning of a failure already explained, possibly wrapped (by Quartz, by a plugin):
   * an {@link ApiException} anywhere in its cause chain, else what {@link StoreErrors} makes of
   * it; {@code null} when it is neither.
   */
  public static ApiException translate(Throwable failure) {
    // Bounded: a cause chain may loop (A caused by B caused by A).
    int depth = 0;
    for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
      if (t instanceof ApiException api) {
        return api;
      }
    }
    StoreFailure store = StoreErrors.translate(failure);
    return store == null ? null : fromStore(store);
  }

  /** The store's failures: unavailable 503 with {@code Retry-After}, conflict 409, refused data 400. */
  public static ApiException fromStore(StoreFailure failure) {
    if (failure instanceof StoreUnavailable) {
      return new ApiException(503, "STORE_UNAVAILABLE", failure.getMessage()).retryAfter(STORE_RETRY_AFTER_SECONDS);
    }
    if (failure instanceof StoreConflict) {
      return ApiException.conflict(failure.getMessage());
    }
    return new ApiException(400, "UNSTORABLE_DATA", failure.getMessage());
  }

  /** Refusals by {@code security.Access}: 401 (challenged in {@link #handle}), 403, or 400 for a malformed tenant. */
  static ApiException fromAccess(AccessDenied denied) {
    return switch (denied.kind()) {
      case UNAUTHENTICATED -> ApiException.unauthorized();
      case FORBIDDEN -> ApiException.forbidden(denied.getMessage());
      case MALFORMED_TENANT -> new ApiException(400, "INVALID_PARAMETER", denied.getMessage());
    };
  }

  private static ApiException internal(RoutingContext ctx) {
    return new ApiException(500, "INTERNAL_ERROR",
        "Internal error; quote request id " + RequestIds.of(ctx) + " when reporting it");
  }

  private static JsonObject v2Envelope(ApiException error) {
    return v2Error(error.numericCode(), error.status() == 401 ? V2_UNAUTHORIZED : error.getMessage());
  }

  /** The {@code /v2} error body: {@code {"data": null, "warnings": [], "errors": [{code, message}]}}. */
  public static JsonObject v2Error(int code, String message) {
    return new JsonObject()
        .putNull("data")
        .put("warnings", new JsonArray())
        .put("errors", new JsonArray().add(new JsonObject().put("code", code).put("message", message)));
  }

  private static JsonObject plain(ApiException error) {
    return new JsonObject().put("message", error.getMessage()).put("code", error.code());
  }
}
