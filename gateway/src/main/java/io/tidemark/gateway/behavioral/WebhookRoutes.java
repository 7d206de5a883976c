package io.tidemark.gateway.behavioral;

import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.TenantConfig;
import io.tidemark.gateway.config.TransformerConfig;
import io.tidemark.gateway.config.WebhookConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.FailureHandler;
import io.tidemark.gateway.http.Mountable;
import io.tidemark.gateway.http.RequestIds;
import io.tidemark.gateway.http.Responses;
import io.tidemark.gateway.plugins.CallEmitter;
import io.tidemark.gateway.plugins.JsonValues;
import io.tidemark.gateway.plugins.PluginCalls;
import io.tidemark.gateway.plugins.PluginRuntime;
import io.tidemark.gateway.plugins.StartedPlugin;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Caller;
import io.tidemark.gateway.security.Permission;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.EventAppender;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.plugin.api.BehavioralEvent;
import io.tidemark.plugin.api.BehavioralEventProcessor;
import io.tidemark.plugin.api.ProcessorResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v2/webhooks/{webhookId}/events}: ingests one behavioral event.
 *
 * <p>Pipeline: authenticate (signature or Basic) → parse → map (transformers) → find the
 * definition → validate its fields → run its processors in order → append the event and the
 * processors' events → write exactly one log entry → answer with it. Every attempt that names a
 * known webhook is logged, unauthorised ones included.
 */
public final class WebhookRoutes implements Mountable {

  static final String SUCCESS = "EVENT_SUCCESS";

  private final GatewayConfig config;
  private final DefinitionStore definitions;
  private final EventLogStore logs;
  private final PluginRuntime plugins;
  private final PluginCalls calls;
  private final EventAppender appender;

  public WebhookRoutes(GatewayConfig config, Pool pool, PluginRuntime plugins, PluginCalls calls, EventAppender appender) {
    this.config = config;
    this.definitions = new DefinitionStore(pool);
    this.logs = new EventLogStore(pool);
    this.plugins = plugins;
    this.calls = calls;
    this.appender = appender;
  }

  @Override
  public void mount(Router router, Access access) {
    // Not behind Access.guard: a signature is proof enough, Basic is checked here.
    router.post("/v2/webhooks/:webhookId/events").handler(ctx -> ingest(ctx, access));
  }

  /** What an attempt came to: the log entry's status and message, the answer's status, the events to keep. */
  private record Outcome(int httpStatus, String status, String message, String eventName, UUID userLocator,
      List<NewEvent> events) {

    static Outcome of(int httpStatus, String status, String message, String eventName) {
      return new Outcome(httpStatus, status, message, eventName, null, List.of());
    }
  }

  private void ingest(RoutingContext ctx, Access access) {
    long started = System.nanoTime();
    Instant startTime = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String webhookId = ctx.pathParam("webhookId");
    WebhookConfig webhook = config.webhook(webhookId)
        .orElseThrow(() -> ApiException.notFound("No webhook '" + webhookId + "'"));
    TenantConfig tenant = config.tenantNamed(webhook.tenant()).orElseThrow();
    Buffer body = ctx.body().buffer();
    String raw = body == null ? "" : body.toString(StandardCharsets.UTF_8);

    authorized(ctx, access, webhook, tenant, body)
        .compose(caller -> caller.isEmpty()
            ? Future.succeededFuture(Outcome.of(401, LogEntry.UNAUTHORIZED, "Unauthorized", eventNameIn(raw)))
            : process(ctx, webhook, tenant, raw).map(o -> new Outcome(o.httpStatus(), o.status(), o.message(),
                o.eventName(), caller.get().map(Caller::userLocator).orElse(null), o.events())))
        .compose(outcome -> append(ctx, tenant, outcome).map(outcome))
        .compose(outcome -> logs.insert(new LogEntry(0, UUID.randomUUID(), tenant.orgId(), tenant.parentOrgId(), webhookId,
                outcome.eventName(), outcome.status(), outcome.message(), raw, startTime,
                (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)))
            .onSuccess(entry -> respond(ctx, outcome, entry)))
        .onFailure(ctx::fail);
  }

  /**
   * Empty when unauthorised; else the Basic caller, or no caller for a valid signature. A request
   * that sends a signature is judged by it alone.
   */
  private Future<Optional<Optional<Caller>>> authorized(RoutingContext ctx, Access access, WebhookConfig webhook,
      TenantConfig tenant, Buffer body) {
    if (WebhookSignature.present(ctx.request().headers())) {
      boolean valid = WebhookSignature.valid(webhook.secret(), ctx.request().headers(), body, Instant.now());
      return Future.succeededFuture(valid ? Optional.of(Optional.empty()) : Optional.empty());
    }
    return access.basicCaller(ctx).map(caller -> caller
        .filter(c -> c.permissions().contains(Permission.EVENTS_INGEST) && c.belongsTo(tenant.locator()))
        .map(Optional::of));
  }

  private Future<Outcome> process(RoutingContext ctx, WebhookConfig webhook, TenantConfig tenant, String raw) {
    JsonObject payload;
    try {
      payload = new JsonObject(raw);
    } catch (DecodeException | ClassCastException e) {
      return Future.succeededFuture(Outcome.of(400, "INVALID_PAYLOAD", "Invalid payload: the body must be a JSON object", null));
    }
    Optional<Mapped> mapped = map(webhook, payload);
    if (mapped.isEmpty()) {
      return Future.succeededFuture(Outcome.of(422, "INVALID_META_TRANSFORMER_MAPPINGS",
          "Invalid meta transformer mappings: No transformer mapping found", null));
    }
    String eventName = mapped.get().eventName();
    Map<String, Object> attributes = mapped.get().attributes();
    return definitions.find(tenant.orgId(), eventName).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(Outcome.of(422, "INVALID_EVENT_NAME", "Invalid event name " + eventName, eventName));
      }
      Definition definition = found.get();
      Optional<String> problem = FieldValidator.problem(definition, attributes);
      if (problem.isPresent()) {
        return Future.succeededFuture(Outcome.of(422, "INVALID_FIELD_VALUE", problem.get(), eventName));
      }
      return runProcessors(ctx, webhook, tenant, definition, attributes);
    });
  }

  private record Mapped(String eventName, Map<String, Object> attributes) {}

  /** The first transformer whose match holds; else, unless the webhook requires one, the payload as it is. */
  private static Optional<Mapped> map(WebhookConfig webhook, JsonObject payload) {
    for (TransformerConfig t : webhook.transformers()) {
      boolean matches = t.match().entrySet().stream()
          .allMatch(m -> m.getValue().equals(String.valueOf(payload.getValue(m.getKey()))));
      if (matches) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        t.attributes().forEach((name, pointer) -> {
          Object value = JsonPointer.from(pointer).queryJson(payload);
          if (value != null) {
            attributes.put(name, JsonValues.plain(value));
          }
        });
        return Optional.of(new Mapped(t.eventName(), attributes));
      }
    }
    if (webhook.requireMapping()) {
      return Optional.empty();
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    payload.forEach(e -> {
      if (!e.getKey().equals("event_name")) {
        attributes.put(e.getKey(), JsonValues.plain(e.getValue()));
      }
    });
    Object name = payload.getValue("event_name");
    return Optional.of(new Mapped(name instanceof String s ? s : "", attributes));
  }

  /**
   * Runs every processor of the definition in order. Each rejection is kept; the first decides
   * the status and the messages are joined, as seed 001 shows. A processor that throws (or is
   * missing, busy or too slow) ends processing with {@code EMF_PROCESSOR_FAILED}.
   */
  private Future<Outcome> runProcessors(RoutingContext ctx, WebhookConfig webhook, TenantConfig tenant,
      Definition definition, Map<String, Object> attributes) {
    BehavioralEvent event = new BehavioralEvent(definition.eventName(), attributes,
        definition.fields().stream().map(Definition.Field::forPlugins).toList());
    List<ProcessorResult> rejections = new ArrayList<>();
    List<NewEvent> emitted = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (String action : definition.actions()) {
      chain = chain.compose(v -> runProcessor(ctx, webhook, tenant, action, event, rejections, emitted));
    }
    String name = definition.eventName();
    return chain.transform(done -> {
      if (done.failed()) {
        return Future.succeededFuture(new Outcome(422, "EMF_PROCESSOR_FAILED",
            "Error while processing emfEvent: " + reason(done.cause()), name, null, List.copyOf(emitted)));
      }
      if (!rejections.isEmpty()) {
        String message = String.join(" ,", rejections.stream().map(ProcessorResult::message).toList());
        return Future.succeededFuture(new Outcome(422, rejections.get(0).status(), message, name, null, List.copyOf(emitted)));
      }
      List<NewEvent> events = new ArrayList<>();
      events.add(new NewEvent(name, new JsonObject(Json.encode(attributes))));
      events.addAll(emitted);
      return Future.succeededFuture(new Outcome(200, SUCCESS, "Event processed successfully", name, null, events));
    });
  }

  private Future<Void> runProcessor(RoutingContext ctx, WebhookConfig webhook, TenantConfig tenant, String action,
      BehavioralEvent event, List<ProcessorResult> rejections, List<NewEvent> emitted) {
    Optional<StartedPlugin> owner = plugins.processorOwner(action);
    if (owner.isEmpty()) {
      return Future.failedFuture(new IllegalStateException("no started plugin provides processor '" + action + "'"));
    }
    BehavioralEventProcessor processor = owner.get().processors().get(action);
    CallEmitter emitter = new CallEmitter(plugins.droppedCounter(owner.get().id()));
    ProcessorCallContext context = new ProcessorCallContext(tenant.locator(), tenant.orgId(), RequestIds.of(ctx),
        webhook.id(), owner.get().config(), emitter);
    return calls.run(owner.get(), "Processor " + action, () -> processor.process(event, context),
            plugins.config().callTimeoutMillis())
        .transform(result -> {
          emitted.addAll(emitter.seal());
          if (result.failed()) {
            return Future.failedFuture(result.cause());
          }
          if (result.result() == null) {
            return Future.failedFuture(new IllegalStateException("processor '" + action + "' returned no result"));
          }
          if (!result.result().accepted()) {
            rejections.add(result.result());
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> append(RoutingContext ctx, TenantConfig tenant, Outcome outcome) {
    return appender.append(new AppendRequest(tenant.locator(), outcome.userLocator(), RequestIds.of(ctx), outcome.events()))
        .mapEmpty();
  }

  private static void respond(RoutingContext ctx, Outcome outcome, LogEntry entry) {
    if (outcome.httpStatus() == 401) {
      ctx.response().putHeader("WWW-Authenticate", FailureHandler.BASIC_CHALLENGE);
      Responses.json(ctx, 401, new JsonObject().putNull("data").put("warnings", new JsonArray())
          .put("errors", new JsonArray().add(new JsonObject().put("code", 401).put("message", "Unauthorized"))));
      return;
    }
    JsonArray errors = new JsonArray();
    if (outcome.httpStatus() != 200) {
      errors.add(new JsonObject().put("code", outcome.httpStatus()).put("message", outcome.message()));
    }
    Responses.json(ctx, outcome.httpStatus(), new JsonObject()
        .put("data", entry.toJson()).put("warnings", new JsonArray()).put("errors", errors));
  }

  /** The event name an unauthorised attempt claims, for its log entry; null when there is none. */
  private static String eventNameIn(String raw) {
    try {
      return new JsonObject(raw).getValue("event_name") instanceof String s ? s : null;
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static String reason(Throwable failure) {
    return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
  }
}
