package io.tidemark.gateway.behavioral;

import io.github.bucket4j.TimeMeter;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.Permission;
import io.tidemark.gateway.config.TenantConfig;
import io.tidemark.gateway.config.WebhookConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.JsonBodies;
import io.tidemark.gateway.plugins.CallEmitter;
import io.tidemark.gateway.plugins.PluginCalls;
import io.tidemark.gateway.plugins.PluginRuntime;
import io.tidemark.gateway.plugins.StartedPlugin;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.EventAppender;
import io.tidemark.gateway.store.JsonText;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.gateway.store.StoreConflict;
import io.tidemark.gateway.store.TimeOrderedIds;
import io.tidemark.plugin.api.BehavioralEvent;
import io.tidemark.plugin.api.BehavioralEventProcessor;
import io.tidemark.plugin.api.ProcessorResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Webhook ingestion, without HTTP: authenticate → parse → map (transformers) → find the
 * definition (cached) → validate its fields (regexes on a worker) → run its processors in order → commit the event, the
 * processors' events and the attempt's log entry in one transaction → the outcome.
 *
 * <p>Every attempt that names a known webhook commits exactly one log entry, unauthorised ones
 * included, and the answer is given only once it has committed: an event and its log entry are
 * stored together or not at all.
 *
 * <p>A message that carries a {@code webhook-id} already accepted for its webhook answers the
 * original outcome again and stores nothing: it is looked up once the message is authorised and
 * before anything runs, and a concurrent duplicate that got past the look-up fails to commit
 * (the id's row is unique) and answers what the first one committed. See {@link WebhookMessages}.
 */
final class Ingestion {

  static final String SUCCESS = "EVENT_SUCCESS";

  private final Vertx vertx;
  private final GatewayConfig config;
  private final DefinitionCache definitions;
  private final PluginRuntime plugins;
  private final PluginCalls calls;
  private final EventAppender appender;
  private final WebhookMessages messages;
  private final UnauthorizedLogLimit unauthorizedLogs;

  Ingestion(Vertx vertx, GatewayConfig config, DefinitionCache definitions, PluginRuntime plugins, PluginCalls calls,
      EventAppender appender, WebhookMessages messages) {
    this.messages = messages;
    this.vertx = vertx;
    this.config = config;
    this.definitions = definitions;
    this.plugins = plugins;
    this.calls = calls;
    this.appender = appender;
    this.unauthorizedLogs = new UnauthorizedLogLimit(config.behavioral().unauthorizedLogsPerWebhookPerMinute(),
        TimeMeter.SYSTEM_NANOTIME);
  }

  /** What processing decided: the answer's status, the log's status and message, the events to keep. */
  private record Processed(int httpStatus, String status, String message, String eventName, List<NewEvent> events) {

    static Processed rejected(int httpStatus, String status, String message, String eventName) {
      return new Processed(httpStatus, status, message, eventName, List.of());
    }
  }

  /** Fails with 404 for an unknown webhook (there is no org to log it under); else the committed outcome. */
  Future<IngestOutcome> ingest(IngestRequest request) {
    WebhookConfig webhook = config.webhook(request.webhookId()).orElse(null);
    if (webhook == null) {
      return Future.failedFuture(ApiException.notFound("No webhook '" + request.webhookId() + "'"));
    }
    TenantConfig tenant = config.tenantNamed(webhook.tenant()).orElseThrow();
    String raw = new String(request.body(), StandardCharsets.UTF_8);
    JsonBodies.Parsed payload = JsonBodies.parse(raw);

    UUID user = authorized(request, webhook, tenant);
    if (user == null) {
      if (!unauthorizedLogs.tryLog(webhook.id())) {
        return Future.succeededFuture(new IngestOutcome(401, null)); // answered, not logged: see UnauthorizedLogLimit
      }
      String claimed = PayloadMapper.claimedEventName(payload.object());
      // Not marked as accepted: an unproven webhook-id must not pre-empt the sender's real message.
      return commit(request, webhook, tenant, null, UnauthorizedLogLimit.head(request.body()),
          Processed.rejected(401, LogEntry.UNAUTHORIZED, "Unauthorized", claimed), null);
    }
    String messageId = request.messageId();
    if (messageId == null) {
      return process(request, webhook, tenant, payload)
          .compose(processed -> commit(request, webhook, tenant, user, raw, processed, null));
    }
    Optional<String> badId = WebhookMessages.problemWith(messageId);
    if (badId.isPresent()) {
      return commit(request, webhook, tenant, user, raw, Processed.rejected(400, "INVALID_WEBHOOK_ID",
          "Invalid webhook-id: " + badId.get(), PayloadMapper.claimedEventName(payload.object())), null);
    }
    return messages.find(webhook.id(), messageId).compose(seen -> seen.isPresent()
        ? Future.succeededFuture(seen.get())
        : process(request, webhook, tenant, payload)
            .compose(processed -> commit(request, webhook, tenant, user, raw, processed, messageId))
            .recover(failure -> failure instanceof StoreConflict
                // A concurrent delivery of the same message committed first: answer what it did.
                ? messages.find(webhook.id(), messageId).compose(first -> first.isPresent()
                    ? Future.succeededFuture(first.get())
                    : Future.failedFuture(failure))
                : Future.failedFuture(failure)));
  }

  /**
   * {@code null} when the request is not authorised; else the user its events belong to: the
   * Basic-auth caller, or the webhook's own user for a valid signature. A request that sends a
   * signature is judged by it alone.
   */
  private static UUID authorized(IngestRequest request, WebhookConfig webhook, TenantConfig tenant) {
    if (request.proof() instanceof WebhookProof.Signature s) {
      return WebhookSignature.valid(webhook.secret(), s, request.body(), Instant.now()) ? webhook.signedUser() : null;
    }
    return ((WebhookProof.Basic) request.proof()).caller()
        .filter(c -> c.permissions().contains(Permission.EVENTS_INGEST) && c.belongsTo(tenant.locator()))
        .map(c -> c.userLocator())
        .orElse(null);
  }

  private Future<Processed> process(IngestRequest request, WebhookConfig webhook, TenantConfig tenant,
      JsonBodies.Parsed payload) {
    if (!payload.ok()) {
      String problem = payload.notAnObject() ? "the body must be a JSON object" : payload.problem();
      return Future.succeededFuture(Processed.rejected(400, "INVALID_PAYLOAD", "Invalid payload: " + problem, null));
    }
    Optional<PayloadMapper.Mapped> mapped = PayloadMapper.map(webhook, payload.object());
    if (mapped.isEmpty()) {
      return Future.succeededFuture(Processed.rejected(422, "INVALID_META_TRANSFORMER_MAPPINGS",
          "Invalid meta transformer mappings: No transformer mapping found", null));
    }
    String eventName = mapped.get().eventName();
    Map<String, Object> attributes = mapped.get().attributes();
    return definitions.find(tenant.orgId(), eventName).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(Processed.rejected(422, "INVALID_EVENT_NAME", "Invalid event name " + eventName, eventName));
      }
      Definition definition = found.get();
      return FieldValidator.check(vertx, definition, attributes).compose(problem -> problem.isPresent()
          ? Future.succeededFuture(Processed.rejected(problem.get().httpStatus(), problem.get().status(),
              problem.get().message(), eventName))
          : runProcessors(request, webhook, tenant, definition, attributes));
    });
  }

  /**
   * Runs every processor of the definition in order. Each rejection is kept; the first decides
   * the status and the messages are joined. A processor that throws (or is missing or too slow)
   * ends processing with {@code EMF_PROCESSOR_FAILED}; processors' events are kept either way. A
   * processor that could not run for want of a plugin thread ends it with 503 and the queue's code.
   */
  private Future<Processed> runProcessors(IngestRequest request, WebhookConfig webhook, TenantConfig tenant,
      Definition definition, Map<String, Object> attributes) {
    BehavioralEvent event = new BehavioralEvent(definition.eventName(), attributes,
        definition.fields().stream().map(Definition.Field::forPlugins).toList());
    List<ProcessorResult> rejections = new ArrayList<>();
    List<NewEvent> emitted = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (List<String> run : runsByPlugin(definition.actions())) {
      chain = chain.compose(v -> runProcessors(request, webhook, tenant, run, event, rejections, emitted));
    }
    String name = definition.eventName();
    return chain.transform(done -> {
      if (done.failed() && done.cause() instanceof ApiException unavailable && unavailable.status() == 503) {
        // The processor never ran (its plugin's queue is full, timed out or stopped). A 503 tells
        // the sender to retry later, where a 422 would tell it to give up on the event. Nothing
        // is kept but the log entry: the retry processes the event whole.
        return Future.succeededFuture(new Processed(503, unavailable.code(),
            "Service unavailable, retry later: " + unavailable.getMessage(), name, List.of()));
      }
      if (done.failed()) {
        return Future.succeededFuture(new Processed(422, "EMF_PROCESSOR_FAILED",
            "Error while processing emfEvent: " + reason(done.cause()), name, List.copyOf(emitted)));
      }
      if (!rejections.isEmpty()) {
        String message = String.join(" ,", rejections.stream().map(ProcessorResult::message).toList());
        return Future.succeededFuture(new Processed(422, rejections.get(0).status(), message, name, List.copyOf(emitted)));
      }
      List<NewEvent> events = new ArrayList<>();
      events.add(new NewEvent(name, new JsonObject(JsonText.string(attributes))));
      events.addAll(emitted);
      return Future.succeededFuture(new Processed(200, SUCCESS, "Event processed successfully", name, events));
    });
  }

  /**
   * The actions in order, cut into runs of consecutive processors of one started plugin (an
   * action no started plugin provides is a run of its own). A run is one plugin call: one trip
   * to the plugin's thread and back for all of its processors, instead of one per processor.
   */
  private List<List<String>> runsByPlugin(List<String> actions) {
    List<List<String>> runs = new ArrayList<>();
    String previousOwner = null;
    for (String action : actions) {
      String owner = plugins.processorOwner(action).map(StartedPlugin::id).orElse(null);
      if (owner == null || !owner.equals(previousOwner)) {
        runs.add(new ArrayList<>());
      }
      runs.get(runs.size() - 1).add(action);
      previousOwner = owner;
    }
    return runs;
  }

  /**
   * One plugin call that runs {@code actions}, processors of one plugin, in order, each with its
   * own emitter: the call stops at the first that throws or answers nothing, and its time limit
   * is {@code plugins.callTimeoutMillis} for each processor of the run.
   */
  private Future<Void> runProcessors(IngestRequest request, WebhookConfig webhook, TenantConfig tenant,
      List<String> actions, BehavioralEvent event, List<ProcessorResult> rejections, List<NewEvent> emitted) {
    Optional<StartedPlugin> found = plugins.processorOwner(actions.get(0));
    if (found.isEmpty()) {
      return Future.failedFuture(new IllegalStateException("no started plugin provides processor '" + actions.get(0) + "'"));
    }
    StartedPlugin owner = found.get();
    List<BehavioralEventProcessor> processors = actions.stream().map(owner.processors()::get).toList();
    List<CallEmitter> emitters = new ArrayList<>();
    List<ProcessorCallContext> contexts = new ArrayList<>();
    for (int i = 0; i < actions.size(); i++) {
      CallEmitter emitter = new CallEmitter(plugins.droppedCounter(owner.id()));
      emitters.add(emitter);
      contexts.add(new ProcessorCallContext(tenant.locator(), tenant.orgId(), request.requestId(), webhook.id(),
          owner.config(), emitter));
    }
    String what = (actions.size() == 1 ? "Processor " : "Processors ") + String.join(", ", actions);
    return calls.run(owner, tenant.locator(), "process:" + String.join(",", actions), what, () -> {
          List<ProcessorResult> results = new ArrayList<>();
          for (int i = 0; i < processors.size(); i++) {
            ProcessorResult result = processors.get(i).process(event, contexts.get(i));
            if (result == null) {
              throw new IllegalStateException("processor '" + actions.get(i) + "' returned no result");
            }
            results.add(result);
          }
          return results;
        }, plugins.config().callTimeoutMillis() * actions.size())
        .transform(done -> {
          // In order: the events of every processor that ran, also when one failed.
          emitters.forEach(emitter -> emitted.addAll(emitter.seal()));
          if (done.failed()) {
            return Future.failedFuture(done.cause());
          }
          done.result().stream().filter(result -> !result.accepted()).forEach(rejections::add);
          return Future.succeededFuture();
        });
  }

  /**
   * The attempt's events and its log entry, in one transaction; the outcome once committed. With
   * a {@code messageId}, the message is marked accepted in that transaction too, unless it is
   * to be retried (503: the processors never ran, a retry must process it whole).
   */
  private Future<IngestOutcome> commit(IngestRequest request, WebhookConfig webhook, TenantConfig tenant,
      UUID userLocator, String raw, Processed processed, String messageId) {
    int responseTime = (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.receivedNanos());
    LogEntry entry = new LogEntry(0, TimeOrderedIds.next(), tenant.orgId(), tenant.parentOrgId(), webhook.id(),
        processed.eventName(), processed.status(), processed.message(), storable(raw), request.receivedAt(), responseTime);
    AppendRequest append = new AppendRequest(tenant.locator(), userLocator, request.requestId(), processed.events())
        .withWrites(List.of(EventLogStore.insert(entry)));
    if (messageId != null && processed.httpStatus() != 503) {
      append = append.withWrites(List.of(WebhookMessages.accepted(webhook.id(), messageId, processed.httpStatus(), entry)));
    }
    return appender.append(append).map(stored -> new IngestOutcome(processed.httpStatus(), entry));
  }

  /** The body as the log keeps it: a NUL byte (never valid JSON anyway) cannot be stored in text. */
  private static String storable(String raw) {
    return raw.indexOf('\0') < 0 ? raw : raw.replace('\0', '\uFFFD');
  }

  private static String reason(Throwable failure) {
    return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
  }
}
