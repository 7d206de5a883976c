package io.tidemark.gateway.plugins;

import static io.tidemark.gateway.config.Permission.ADMIN;

import io.tidemark.gateway.config.RouteConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.JsonBodies;
import io.tidemark.gateway.http.Responses;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.tidemark.plugin.api.TidemarkPluginApi;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/** {@code /admin/plugins}: see, stop, start and load plugins at run time (permission {@code admin}). */
public final class AdminRoutes implements Mountable {

  private final Vertx vertx;
  private final PluginRuntime runtime;
  private final List<RouteConfig> routes;

  public AdminRoutes(Vertx vertx, PluginRuntime runtime, List<RouteConfig> routes) {
    this.vertx = vertx;
    this.runtime = runtime;
    this.routes = routes;
  }

  @Override
  public void mount(Router router, Access access) {
    access.guard(router.get("/admin/plugins"), ADMIN).handler(this::list);
    access.guard(router.post("/admin/plugins/load"), ADMIN).handler(this::load);
    access.guard(router.post("/admin/plugins/:pluginId/start"), ADMIN).handler(ctx ->
        runtime.startPlugin(vertx, ctx.pathParam("pluginId"))
            .onSuccess(view -> Responses.json(ctx, 200, json(view)))
            .onFailure(ctx::fail));
    access.guard(router.post("/admin/plugins/:pluginId/stop"), ADMIN).handler(ctx ->
        runtime.stopPlugin(vertx, ctx.pathParam("pluginId"))
            .onSuccess(view -> Responses.json(ctx, 200, json(view)))
            .onFailure(ctx::fail));
  }

  private void list(RoutingContext ctx) {
    runtime.plugins(vertx)
        .onSuccess(views -> {
          JsonArray plugins = new JsonArray();
          views.forEach(view -> plugins.add(json(view)));
          Responses.json(ctx, 200, new JsonObject()
              .put("apiVersion", TidemarkPluginApi.VERSION)
              .put("directory", runtime.config().directory())
              .put("plugins", plugins)
              .put("failedFiles", failedFiles()));
        })
        .onFailure(ctx::fail);
  }

  /** With {@code {"file": "x.jar"}} loads that file; without, every file not loaded yet. */
  private void load(RoutingContext ctx) {
    String file = fileOf(ctx.body().asString());
    if (file != null) {
      runtime.loadFile(vertx, file)
          .onSuccess(view -> Responses.json(ctx, 200, json(view)))
          .onFailure(ctx::fail);
      return;
    }
    runtime.loadNew(vertx)
        .onSuccess(views -> {
          JsonArray loaded = new JsonArray();
          views.forEach(view -> loaded.add(json(view)));
          Responses.json(ctx, 200, new JsonObject().put("loaded", loaded).put("failedFiles", failedFiles()));
        })
        .onFailure(ctx::fail);
  }

  private static String fileOf(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    Object file = JsonBodies.object(raw).getValue("file");
    if (file != null && !(file instanceof String)) {
      throw ApiException.badBody("file must be a string");
    }
    return (String) file;
  }

  private JsonArray failedFiles() {
    JsonArray failed = new JsonArray();
    for (Map.Entry<String, String> e : runtime.failedFiles().entrySet()) {
      failed.add(new JsonObject().put("file", e.getKey()).put("reason", e.getValue()));
    }
    return failed;
  }

  private JsonObject json(PluginView view) {
    JsonArray pluginRoutes = new JsonArray();
    routes.stream().filter(r -> r.pluginId().equals(view.id()))
        .forEach(r -> pluginRoutes.add(new JsonObject()
            .put("method", r.method()).put("path", r.path()).put("operation", r.operationName())
            .put("permission", r.permission().wireName())));
    return new JsonObject()
        .put("id", view.id())
        .put("version", view.version())
        .put("state", view.state())
        .put("requires", view.requires())
        .put("file", view.file())
        .put("serving", view.serving())
        .put("extensions", new JsonArray(view.operations()))
        .put("routes", pluginRoutes)
        .put("problem", view.problem())
        .put("inFlightCalls", view.inFlight())
        .put("queuedCalls", view.queued())
        .put("droppedEvents", view.droppedEvents());
  }
}
