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
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of config, each dispatching to a plugin operation through the registry, so that
 * plugins can stop, start and load without the router being rebuilt.
 *
 * <p>A call's events are appended when it ends, however it ends, and the response is sent only
 * once they are committed. The schedules and cancels it requested commit in that same
 * transaction when the operation succeeded, and are discarded when it failed.
 */
public final class PluginRoutes implements Mountable {

  private static final Logger LOG = LoggerFactory.getLogger(PluginRoutes.class);

  private final List<RouteConfig> routes;
  private final PluginRuntime runtime;
  private final EventAppender appender;
  private final PluginCalls calls;
  private final BiFunction<UUID, String, CallScheduling> schedulers;

  /** @param schedulers a new scheduler for one call of a tenant, with the call's request id as transaction */
  public PluginRoutes(List<RouteConfig> routes, PluginRuntime runtime, PluginCalls calls, EventAppender appender,
      BiFunction<UUID, String, CallScheduling> schedulers) {
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
    String requestId = RequestIds.of(ctx);
    String raw = ctx.body().asString();
    Map<String, Object> body = jsonObjectBody(raw);

    StartedPlugin plugin = runtime.started(route.pluginId()).orElseThrow(() ->
        new ApiException(503, "PLUGIN_NOT_STARTED", "Plugin '" + route.pluginId() + "' is not started"));
    Operation operation = plugin.operations().get(route.operationName());
    if (operation == null) {
      throw new ApiException(503, "OPERATION_NOT_FOUND",
          "Plugin '" + route.pluginId() + "' has no operation '" + route.operationName() + "'");
    }

    CallEmitter emitter = new CallEmitter(runtime.droppedCounter(plugin.id()));
    CallScheduling scheduler = schedulers.apply(tenant.locator(), requestId);
    CallContext call = new CallContext(tenant.locator(), tenant.orgId(), caller.userLocator(), requestId,
        Map.copyOf(ctx.pathParams()), queryParameters(ctx), body, raw, plugin.config(), emitter, scheduler);
    long timeout = route.timeoutMillis() != null ? route.timeoutMillis() : runtime.config().callTimeoutMillis();

    calls.run(plugin, tenant.locator(), "Operation " + route.operation(), () -> operation.execute(call), timeout)
        .transform(outcome -> appendOutcomeThen(outcome, emitter, scheduler, tenant, caller, requestId))
        .onSuccess(result -> write(ctx, route, result))
        // Data PostgreSQL refused is the request's own fault: the failure handler says so (400).
        .onFailure(failure -> ctx.fail(failure instanceof StoreRefusedData ? failure : asApiException(failure, route, requestId)));
  }

  /**
   * Seals the call's emitter and scheduler and appends its events, whatever the outcome, with its
   * schedules when it succeeded, in one transaction; then passes the outcome on.
   */
  private Future<OperationResult> appendOutcomeThen(AsyncResult<OperationResult> outcome, CallEmitter emitter,
      CallScheduling scheduler, TenantConfig tenant, Caller caller, String requestId) {
    List<StoreWrite> schedules = scheduler.seal();
    AppendRequest request = new AppendRequest(tenant.locator(), caller.userLocator(), requestId, emitter.seal());
    // A failed operation's events stay (they tell what it did), but what it asked to happen
    // later belongs to an outcome that did not happen. No result is a failure too (500).
    if (outcome.succeeded() && outcome.result() != null) {
      request = request.withWrites(schedules);
    }
    return appender.append(request)
        .transform(appended -> {
          if (appended.failed()) {
            LOG.error("request {}: the call's events could not be stored: {}", requestId, appended.cause().toString());
            return Future.failedFuture(appended.cause());
          }
          if (outcome.failed()) {
            return Future.failedFuture(outcome.cause());
          }
          if (outcome.result() != null) {
            scheduler.committed();
          }
          return Future.succeededFuture(outcome.result());
        });
  }

  private void write(RoutingContext ctx, RouteConfig route, OperationResult result) {
    if (result == null) {
      ctx.fail(new ApiException(500, "PLUGIN_FAILED", "Operation " + route.operation() + " returned no result"));
      return;
    }
    Object json;
    try {
      json = result.body() == null ? null : JsonValues.toJsonValue(result.body());
    } catch (JsonValues.NotJsonException e) {
      ctx.fail(new ApiException(500, "PLUGIN_FAILED", "Operation " + route.operation() + " answered a body that is not JSON: "
          + e.getMessage()));
      return;
    }
    result.headers().forEach(ctx.response()::putHeader);
    ctx.response().setStatusCode(result.status());
    if (json == null) {
      ctx.response().end();
    } else {
      ctx.response().putHeader("Content-Type", "application/json").end(Json.encode(json));
    }
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
