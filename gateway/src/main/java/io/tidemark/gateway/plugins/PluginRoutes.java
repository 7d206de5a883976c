package io.tidemark.gateway.plugins;

import io.tidemark.gateway.config.RouteConfig;
import io.tidemark.gateway.config.TenantConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.FailureHandler;
import io.tidemark.gateway.http.JsonBodies;
import io.tidemark.gateway.http.RequestIds;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Caller;
import io.tidemark.gateway.security.Mountable;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.EventAppender;
import io.tidemark.gateway.store.JsonText;
import io.tidemark.gateway.store.StoreFailure;
import io.tidemark.gateway.store.StoreRefusedData;
import io.tidemark.gateway.store.StoreWrite;
import io.tidemark.plugin.api.InvalidEventException;
import io.tidemark.plugin.api.Operation;
import io.tidemark.plugin.api.OperationException;
import io.tidemark.plugin.api.OperationResult;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of config, each dispatching to a plugin operation through the registry, so that
 * plugins can stop, start and load without the router being rebuilt.
 *
 * <p>A call's events are appended when it ends, however it ends, and the response is sent only
 * once they are committed. The schedules and cancels it requested commit in that same
 * transaction when the operation succeeded, and are discarded when it failed. A request with an
 * {@code Idempotency-Key} is answered once per key: see {@link Idempotency}.
 */
public final class PluginRoutes implements Mountable {

  private static final Logger LOG = LoggerFactory.getLogger(PluginRoutes.class);

  private final List<RouteConfig> routes;
  private final PluginRuntime runtime;
  private final EventAppender appender;
  private final PluginCalls calls;
  private final CallScheduling.Factory schedulers;
  private final Idempotency idempotency;

  /**
   * @param schedulers a new scheduler for one call of a tenant's user, with the call's request id as transaction
   * @param pool where {@code Idempotency-Key}s are kept
   */
  public PluginRoutes(List<RouteConfig> routes, PluginRuntime runtime, PluginCalls calls, EventAppender appender,
      CallScheduling.Factory schedulers, Pool pool) {
    this.idempotency = new Idempotency(pool);
    this.routes = routes;
    this.runtime = runtime;
    this.appender = appender;
    this.calls = calls;
    this.schedulers = schedulers;
  }

  @Override
  public void mount(Router router, Access access) {
    for (RouteConfig route : routes) {
      String vertxPath = route.path().replaceAll("\\{([^}]+)}", ":$1");
      access.guard(router.route(HttpMethod.valueOf(route.method()), vertxPath), route.permission())
          .handler(ctx -> dispatch(route, ctx));
    }
  }

  private void dispatch(RouteConfig route, RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    TenantConfig tenant = Access.tenant(ctx) != null ? Access.tenant(ctx) : caller.defaultTenant();
    String raw = ctx.body().asString();
    Map<String, Object> body = jsonObjectBody(raw);
    String header = ctx.request().getHeader(Idempotency.HEADER);
    if (header == null) {
      run(route, ctx, caller, tenant, raw, body, null);
      return;
    }
    Idempotency.Key key = Idempotency.key(tenant.locator(), caller.userLocator(), header,
        ctx.request().method().name(), ctx.request().uri(), raw);
    idempotency.claim(key).onSuccess(claim -> {
      switch (claim.state()) {
        case CLAIMED -> run(route, ctx, caller, tenant, raw, body, key);
        case COMPLETED -> respond(ctx, claim.recorded(), true);
        case IN_PROGRESS -> ctx.fail(Idempotency.inProgress());
        case REUSED -> ctx.fail(Idempotency.reused());
      }
    }).onFailure(ctx::fail);
  }

  /** Runs the operation; with a claimed {@code key}, records its answer or releases the key. */
  private void run(RouteConfig route, RoutingContext ctx, Caller caller, TenantConfig tenant, String raw,
      Map<String, Object> body, Idempotency.Key key) {
    String requestId = RequestIds.of(ctx);
    StartedPlugin plugin;
    Operation operation;
    try {
      plugin = runtime.started(route.pluginId()).orElseThrow(() ->
          new ApiException(503, "PLUGIN_NOT_STARTED", "Plugin '" + route.pluginId() + "' is not started"));
      operation = plugin.operations().get(route.operationName());
      if (operation == null) {
        throw new ApiException(503, "OPERATION_NOT_FOUND",
            "Plugin '" + route.pluginId() + "' has no operation '" + route.operationName() + "'");
      }
    } catch (ApiException notRunnable) {
      release(key).onComplete(v -> ctx.fail(notRunnable));
      return;
    }

    CallEmitter emitter = new CallEmitter(runtime.droppedCounter(plugin.id()));
    CallScheduling scheduler = schedulers.forCall(tenant.locator(), caller.userLocator(), requestId);
    CallContext call = new CallContext(tenant.locator(), tenant.orgId(), caller.userLocator(), requestId,
        Map.copyOf(ctx.pathParams()), queryParameters(ctx), body, raw, plugin.config(), emitter, scheduler);
    long timeout = route.timeoutMillis() != null ? route.timeoutMillis() : runtime.config().callTimeoutMillis();

    calls.run(plugin, tenant.locator(), route.operationName(), "Operation " + route.operation(), () -> operation.execute(call), timeout)
        .transform(outcome -> appendOutcomeThen(outcome, emitter, scheduler, tenant, caller, requestId, route, key))
        .onSuccess(answer -> respond(ctx, answer, false))
        // Data PostgreSQL refused is the request's own fault: the failure handler says so (400).
        .onFailure(failure -> release(key).onComplete(v ->
            ctx.fail(failure instanceof StoreRefusedData ? failure : asApiException(failure, route, requestId))));
  }

  /**
   * Seals the call's emitter and scheduler and appends its events, whatever the outcome, with its
   * schedules when it succeeded, and its answer for its idempotency key, in one transaction;
   * then passes the answer on. Fails only when the append did (the key is then released).
   */
  private Future<Idempotency.Recorded> appendOutcomeThen(AsyncResult<OperationResult> outcome, CallEmitter emitter,
      CallScheduling scheduler, TenantConfig tenant, Caller caller, String requestId, RouteConfig route,
      Idempotency.Key key) {
    List<StoreWrite> schedules = scheduler.seal();
    AppendRequest request = new AppendRequest(tenant.locator(), caller.userLocator(), requestId, emitter.seal());
    // A failed operation's events stay (they tell what it did), but what it asked to happen
    // later belongs to an outcome that did not happen. No result is a failure too (500).
    if (outcome.succeeded() && outcome.result() != null) {
      request = request.withWrites(schedules);
    }
    Idempotency.Recorded answer = answer(outcome, route, requestId);
    // 503: the operation never ran (plugin busy or stopped) or met a store outage; a retry must run it.
    if (key != null && answer.status() != 503) {
      request = request.withWrites(List.of(Idempotency.completed(key, answer)));
    }
    return appender.append(request)
        .transform(appended -> {
          if (appended.failed()) {
            LOG.error("request {}: the call's events could not be stored: {}", requestId, appended.cause().toString());
            return Future.failedFuture(appended.cause());
          }
          if (outcome.succeeded() && outcome.result() != null) {
            scheduler.committed();
          }
          if (key != null && answer.status() == 503) {
            return release(key).map(answer);
          }
          return Future.succeededFuture(answer);
        });
  }

  /** What the client is answered: the operation's result as JSON, or the error it came to. */
  private static Idempotency.Recorded answer(AsyncResult<OperationResult> outcome, RouteConfig route, String requestId) {
    if (outcome.failed()) {
      return Idempotency.Recorded.of(asApiException(outcome.cause(), route, requestId));
    }
    OperationResult result = outcome.result();
    if (result == null) {
      return Idempotency.Recorded.of(new ApiException(500, "PLUGIN_FAILED", "Operation " + route.operation() + " returned no result"));
    }
    try {
      Object json = result.body() == null ? null : JsonValues.toJsonValue(result.body());
      return new Idempotency.Recorded(result.status(), result.headers(), json == null ? null : JsonText.string(json), null, null);
    } catch (JsonValues.NotJsonException e) {
      return Idempotency.Recorded.of(new ApiException(500, "PLUGIN_FAILED",
          "Operation " + route.operation() + " answered a body that is not JSON: " + e.getMessage()));
    }
  }

  /** Writes an answer, fresh or replayed ({@code Idempotent-Replayed: true}, as Stripe marks it). */
  private static void respond(RoutingContext ctx, Idempotency.Recorded answer, boolean replayed) {
    if (replayed) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    }
    if (answer.isError()) {
      ctx.fail(answer.asError());
      return;
    }
    answer.headers().forEach(ctx.response()::putHeader);
    ctx.response().setStatusCode(answer.status());
    if (answer.body() == null) {
      ctx.response().end();
    } else {
      ctx.response().putHeader("Content-Type", "application/json").end(answer.body());
    }
  }

  private Future<Void> release(Idempotency.Key key) {
    return key == null ? Future.succeededFuture() : idempotency.release(key).recover(failure -> {
      LOG.warn("releasing an idempotency key failed ({}); it expires in 24 hours", failure.toString());
      return Future.succeededFuture();
    });
  }

  private static ApiException asApiException(Throwable failure, RouteConfig route, String requestId) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof StoreFailure translated) {
      // The store's caller translated it already (StoreRefusedData never gets here: see the route).
      return FailureHandler.fromStore(translated);
    }
    if (failure instanceof OperationException op) {
      return new ApiException(op.status(), op.code() == null ? "OPERATION_FAILED" : op.code(), op.getMessage());
    }
    if (failure instanceof InvalidEventException invalid) {
      return new ApiException(500, "INVALID_EVENT",
          "Operation " + route.operation() + " emitted an invalid event: " + invalid.getMessage());
    }
    // A store outage met inside the call (the event scheduler is JDBC underneath) is no plugin fault.
    ApiException store = FailureHandler.translate(failure);
    if (store != null) {
      LOG.warn("request {}: operation {} met a store failure: {}", requestId, route.operation(), failure.toString());
      return store;
    }
    LOG.error("request {}: operation {} failed", requestId, route.operation(), failure);
    return new ApiException(500, "PLUGIN_FAILED",
        "Operation " + route.operation() + " failed; quote request id " + requestId + " when reporting it");
  }

  /** The body as plain Java values; {@code null} when there is none; 400 unless it is a JSON object. */
  private static Map<String, Object> jsonObjectBody(String raw) {
    return raw == null || raw.isBlank() ? null : JsonValues.toPlain(JsonBodies.object(raw));
  }

  private static Map<String, List<String>> queryParameters(RoutingContext ctx) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (String name : ctx.queryParams().names()) {
      query.put(name, List.copyOf(ctx.queryParams().getAll(name)));
    }
    return Map.copyOf(query);
  }
}
