package io.tidemark.gateway.behavioral;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.WebhookConfig;
import io.tidemark.gateway.http.FailureHandler;
import io.tidemark.gateway.http.RequestIds;
import io.tidemark.gateway.http.Responses;
import io.tidemark.gateway.plugins.PluginCalls;
import io.tidemark.gateway.plugins.PluginRuntime;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.tidemark.gateway.store.EventAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * {@code POST /v2/webhooks/{webhookId}/events}: reads the request into an {@link IngestRequest},
 * lets {@link Ingestion} do the work, and writes its outcome in the {@code /v2} envelope with the
 * log entry as {@code data}.
 */
public final class WebhookRoutes implements Mountable {

  private final Ingestion ingestion;
  private final MeterRegistry registry;
  private final Set<String> webhookIds;
  private final Map<String, Counter> ingestions = new ConcurrentHashMap<>();

  public WebhookRoutes(Vertx vertx, GatewayConfig config, DefinitionCache definitions, PluginRuntime plugins,
      PluginCalls calls, EventAppender appender, Pool pool, MeterRegistry registry) {
    this.ingestion = new Ingestion(vertx, config, definitions, plugins, calls, appender, new WebhookMessages(pool));
    this.registry = registry;
    this.webhookIds = config.webhooks().stream().map(WebhookConfig::id).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * {@code tidemark_webhook_ingestions_total{webhook, status}}: status is the processing log's
   * (EVENT_SUCCESS, ...), {@code UNLOGGED} for a 401 beyond the log's limit, {@code FAILED} for an
   * attempt that could not be recorded (store unavailable). Webhooks not in config count as {@code unknown}.
   */
  private void count(String webhookId, String status) {
    String webhook = webhookIds.contains(webhookId) ? webhookId : "unknown";
    ingestions.computeIfAbsent(webhook + '\0' + status, key -> Counter.builder("tidemark.webhook.ingestions")
        .description("Webhook deliveries received, by webhook and processing-log status")
        .tags("webhook", webhook, "status", status)
        .register(registry)).increment();
  }

  @Override
  public void mount(Router router, Access access) {
    // Not behind Access.guard: a signature is proof enough; Basic credentials are one proof among two.
    access.bodyFirst(router.post("/v2/webhooks/:webhookId/events")).handler(ctx -> ingest(ctx, access));
  }

  private void ingest(RoutingContext ctx, Access access) {
    long receivedNanos = System.nanoTime();
    Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Buffer body = ctx.body().buffer();
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    // Basic credentials throttled after too many failed logins fail here with 429, before
    // Ingestion: the password was never checked, so the attempt is not logged.
    Future<WebhookProof> proof = WebhookSignature.present(ctx.request().headers())
        ? Future.succeededFuture(WebhookSignature.of(ctx.request().headers()))
        : access.basicCaller(ctx).map(WebhookProof.Basic::new);
    proof
        .compose(p -> ingestion.ingest(new IngestRequest(ctx.pathParam("webhookId"), RequestIds.of(ctx), p,
            ctx.request().getHeader("webhook-id"), bytes,
            receivedAt, receivedNanos)))
        .onSuccess(outcome -> {
          count(ctx.pathParam("webhookId"), outcome.entry() == null ? "UNLOGGED" : outcome.entry().status());
          respond(ctx, outcome);
        })
        .onFailure(failure -> {
          count(ctx.pathParam("webhookId"), "FAILED");
          ctx.fail(failure);
        });
  }

  private static void respond(RoutingContext ctx, IngestOutcome outcome) {
    if (outcome.unauthorized()) {
      ctx.response().putHeader("WWW-Authenticate", FailureHandler.BASIC_CHALLENGE);
      Responses.json(ctx, 401, FailureHandler.v2Error(401, FailureHandler.V2_UNAUTHORIZED));
      return;
    }
    if (outcome.httpStatus() == 503) {
      ctx.response().putHeader("Retry-After", "1"); // a plugin's queue is full: it drains within seconds
    }
    JsonArray errors = new JsonArray();
    if (outcome.httpStatus() != 200) {
      errors.add(new JsonObject().put("code", outcome.httpStatus()).put("message", outcome.entry().message()));
    }
    Responses.json(ctx, outcome.httpStatus(), new JsonObject()
        .put("data", outcome.entry().toJson()).put("warnings", new JsonArray()).put("errors", errors));
  }
}
