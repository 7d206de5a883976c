package io.tidemark.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidemark.gateway.behavioral.DefinitionCache;
import io.tidemark.gateway.behavioral.DefinitionRoutes;
import io.tidemark.gateway.behavioral.LogRoutes;
import io.tidemark.gateway.behavioral.WebhookRoutes;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.HttpConfig;
import io.tidemark.gateway.delivery.Deliverer;
import io.tidemark.gateway.delivery.SubscriptionRoutes;
import io.tidemark.gateway.http.ConnectionLimit;
import io.tidemark.gateway.http.HealthCheck;
import io.tidemark.gateway.http.HealthRoutes;
import io.tidemark.gateway.http.HttpVerticle;
import io.tidemark.gateway.metrics.GatewayMetrics;
import io.tidemark.gateway.metrics.MetricsRoutes;
import io.tidemark.gateway.plugins.AdminRoutes;
import io.tidemark.gateway.plugins.PluginCalls;
import io.tidemark.gateway.plugins.PluginRoutes;
import io.tidemark.gateway.plugins.PluginRuntime;
import io.tidemark.gateway.schedule.ScheduleRoutes;
import io.tidemark.gateway.schedule.Scheduling;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.tidemark.gateway.security.PasswordCheck;
import io.tidemark.gateway.store.Database;
import io.tidemark.gateway.store.EventAppender;
import io.tidemark.gateway.store.GroupCommitAppender;
import io.tidemark.gateway.store.LiveChannel;
import io.tidemark.gateway.store.Retention;
import io.tidemark.gateway.store.ServerSecrets;
import io.tidemark.gateway.store.TenantSync;
import io.tidemark.gateway.stream.LiveFeed;
import io.tidemark.gateway.stream.LiveRoutes;
import io.tidemark.gateway.stream.StreamRoutes;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: the start-up sequence and its reverse. Start migrates the schema, syncs the
 * tenants, deploys the event appender, loads the plugins and then deploys the HTTP servers; stop
 * lets in-flight requests finish, stops the plugins, drains pending appends, and closes the pool.
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final String PAGING_TOKEN_SECRET = "paging-token";


  private final Vertx vertx;
  private final Pool pool;
  private final Pool appenderPool;
  private final GroupCommitAppender appender;
  private final String appenderDeployment;
  private final PluginRuntime plugins;
  private final Scheduling scheduling;
  private final DefinitionCache definitions;
  private final String httpDeployment;
  private final int port;
  private final AtomicBoolean stopping;
  private final int drainDelaySeconds;
  private final Optional<HttpServer> management;
  private final Retention retention;
  private final LiveFeed live;
  private final Router router;
  private final Deliverer deliverer;
  /** The one shutdown: a second stop (a test's close after SIGTERM's) waits for the first. */
  private Future<Void> stopped;

  private Gateway(Vertx vertx, Pool pool, Pool appenderPool, GroupCommitAppender appender, String appenderDeployment,
      PluginRuntime plugins, Scheduling scheduling, DefinitionCache definitions, String httpDeployment, int port,
      AtomicBoolean stopping, int drainDelaySeconds, Optional<HttpServer> management, Retention retention,
      LiveFeed live, Router router, Deliverer deliverer) {
    this.deliverer = deliverer;
    this.router = router;
    this.live = live;
    this.management = management;
    this.retention = retention;
    this.stopping = stopping;
    this.drainDelaySeconds = drainDelaySeconds;
    this.vertx = vertx;
    this.pool = pool;
    this.appenderPool = appenderPool;
    this.appender = appender;
    this.appenderDeployment = appenderDeployment;
    this.plugins = plugins;
    this.scheduling = scheduling;
    this.definitions = definitions;
    this.httpDeployment = httpDeployment;
    this.port = port;
  }

  /** A gateway whose meters only it sees: for a Vert.x made without {@link GatewayMetrics#vertx}. */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return start(vertx, config, GatewayMetrics.bindJvm(GatewayMetrics.newRegistry()));
  }

  /** @param registry the one {@code vertx} reports into ({@link GatewayMetrics#vertx}), served at {@code /metrics} */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, PrometheusMeterRegistry registry) {
    return start(vertx, config, registry, Clock.systemUTC());
  }

  /** @param clock what retention and delivery judge ages and failing periods by (tests move it) */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, PrometheusMeterRegistry registry, Clock clock) {
    record Prepared(String schemaVersion, PasswordCheck passwords) {}
    return vertx.executeBlocking(() -> {
          String schemaVersion = Database.migrate(config.database());
          return new Prepared(schemaVersion, PasswordCheck.load(vertx, config.security(), Access.callers(config)));
        })
        .compose(prepared -> {
          Pool pool = Database.pool(vertx, config.database());
          return startOn(vertx, config, pool, prepared.passwords(), prepared.schemaVersion(), registry, clock)
              .recover(failure -> pool.close().transform(closed -> Future.failedFuture(failure)));
        });
  }

  private static Future<Gateway> startOn(Vertx vertx, GatewayConfig config, Pool pool, PasswordCheck passwords,
      String schemaVersion, PrometheusMeterRegistry registry, Clock clock) {
    AtomicBoolean stopping = new AtomicBoolean();
    Pool appenderPool = Database.appenderPool(vertx, config.database());
    GroupCommitAppender appender = new GroupCommitAppender(appenderPool, config.store(), registry,
        LiveChannel.of(config.database().schema()));
    Retention retention = new Retention(vertx, pool, config.retention(), config.tenants(), clock, registry);
    return TenantSync.sync(pool, config.tenants())
        // Before anything is appended: each tenant's rows must find their partition.
        .compose(v -> retention.runOnce())
        .onSuccess(v -> retention.start())
        .compose(v -> ServerSecrets.getOrCreate(pool, PAGING_TOKEN_SECRET))
        .compose(tokenSecret -> vertx.deployVerticle(appender).compose(appenderId ->
            PluginRuntime.start(vertx, config.plugins()).compose(plugins -> {
              PluginCalls calls = new PluginCalls(vertx, plugins, registry);
              return Scheduling.start(vertx, config.scheduling(), config.database(), pool, plugins, calls, appender, registry)
                  .compose(scheduling -> DefinitionCache.start(vertx, config.database(), pool)
                      .compose(definitions -> LiveFeed.start(vertx, config.database()).compose(live ->
                          deployHttp(vertx, config, pool, passwords, appender, plugins, calls, scheduling, definitions, tokenSecret,
                          readiness(config, pool, schemaVersion, plugins, scheduling), stopping, registry, live)
                          .compose(http -> startManagement(vertx, config, registry).map(management ->
                              new Gateway(vertx, pool, appenderPool, appender, appenderId, plugins, scheduling, definitions,
                                  http.id(), http.port(), stopping, config.http().drainDelaySeconds(), management, retention, live,
                                  http.router(), startDelivery(vertx, pool, config, appender, live, clock, registry))))
                          .recover(failure -> live.close().transform(closed -> Future.failedFuture(failure))))
                          .recover(failure -> definitions.close().transform(closed -> Future.failedFuture(failure))))
                      .recover(failure -> scheduling.stop().transform(stopped -> Future.failedFuture(failure))))
                  .recover(failure -> plugins.close(vertx).transform(closed -> Future.failedFuture(failure)));
            })
                .recover(failure -> vertx.undeploy(appenderId).transform(undeployed -> Future.failedFuture(failure)))))
        .recover(failure -> {
          retention.stop();
          return appenderPool.close().transform(closed -> Future.failedFuture(failure));
        });
  }

  /** @param router one of the HTTP verticles' routers (they are all alike) */
  private record HttpDeployment(String id, int port, Router router) {}

  /**
   * {@code metrics.port} set: {@code /metrics} on a listener of its own (and not on the API port),
   * so that it can stay inside the cluster while the API faces clients.
   */
  private static Future<Optional<HttpServer>> startManagement(Vertx vertx, GatewayConfig config,
      PrometheusMeterRegistry registry) {
    if (!config.metrics().enabled() || !config.metrics().separatePort()) {
      return Future.succeededFuture(Optional.empty());
    }
    Router router = Router.router(vertx);
    new MetricsRoutes(registry).mount(router);
    return vertx.createHttpServer(new HttpServerOptions().setHost(config.metrics().host()).setPort(config.metrics().port()))
        .requestHandler(router)
        .listen()
        .onSuccess(server -> LOG.info("metrics on http://{}:{}/metrics", config.metrics().host(), server.actualPort()))
        .map(Optional::of);
  }

  private static Deliverer startDelivery(Vertx vertx, Pool pool, GatewayConfig config, EventAppender appender,
      LiveFeed live, Clock clock, PrometheusMeterRegistry registry) {
    Deliverer deliverer = new Deliverer(vertx, pool, config.delivery(), appender, clock, registry);
    // A commit (here or on another instance) wakes delivery at once: the poll is the safety net.
    live.onCommit(deliverer::wake);
    deliverer.start();
    return deliverer;
  }

  /** What {@code GET /health/ready} checks, by name. */
  private static List<HealthCheck> readiness(GatewayConfig config, Pool pool, String schemaVersion, PluginRuntime plugins,
      Scheduling scheduling) {
    return List.of(
        HealthRoutes.database(pool),
        new HealthCheck("migrations", () -> Database.requireSchemaVersion(pool, config.database().schema(), schemaVersion)),
        new HealthCheck("plugins", () -> {
          List<String> missing = plugins.requiredNotStarted();
          return missing.isEmpty() ? Future.succeededFuture()
              : Future.failedFuture("required plugins not started: " + String.join(", ", missing));
        }),
        new HealthCheck("scheduler", () -> scheduling.problem()
            .map(problem -> Future.<Void>failedFuture(problem))
            .orElseGet(Future::succeededFuture)));
  }

  private static Future<HttpDeployment> deployHttp(Vertx vertx, GatewayConfig config, Pool pool,
      PasswordCheck passwords, GroupCommitAppender appender, PluginRuntime plugins, PluginCalls calls,
      Scheduling scheduling, DefinitionCache definitions, byte[] tokenSecret, List<HealthCheck> readiness,
      AtomicBoolean stopping, PrometheusMeterRegistry registry, LiveFeed live) {
    HttpConfig http = config.http();
    Optional<MetricsRoutes> metrics = config.metrics().enabled() && !config.metrics().separatePort()
        ? Optional.of(new MetricsRoutes(registry)) : Optional.empty();
    HealthRoutes health = new HealthRoutes(pool, readiness, stopping::get);
    List<Mountable> features = List.of(
        // Before StreamRoutes: its /events/:locator would take "live" for a locator.
        new LiveRoutes(vertx, pool, tokenSecret, live, config.live(), registry),
        new StreamRoutes(pool, tokenSecret),
        // /v2/events/logs before /v2/events/{eventName}
        new LogRoutes(pool, tokenSecret),
        new DefinitionRoutes(definitions, plugins, config.behavioral().auditLogRequestsPerMinute()),
        new WebhookRoutes(vertx, config, definitions, plugins, calls, appender, pool, registry),
        new ScheduleRoutes(vertx, scheduling),
        new PluginRoutes(config.routes(), plugins, calls, appender, scheduling::forCall, pool),
        new AdminRoutes(vertx, plugins, config.routes()),
        new SubscriptionRoutes(vertx, pool, config.delivery(), tokenSecret));
    HttpServerOptions options = new HttpServerOptions().setPort(http.port()).setHost(http.host())
        // No WebSocket endpoints: without these the extension handler sits in every request's pipeline.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setIdleTimeout(http.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setMaxHeaderSize(http.maxHeaderBytes()).setMaxInitialLineLength(http.maxUriBytes());
    ConnectionLimit connections = new ConnectionLimit(http.maxConnections());
    // Port 0 asks for a free port; several servers would each get a different one.
    int instances = http.port() == 0 ? 1 : http.instances();
    AtomicInteger boundPort = new AtomicInteger();
    AtomicReference<Router> built = new AtomicReference<>();
    return vertx.deployVerticle(
            () -> new HttpVerticle(options, v -> {
              Router router = ApiRouter.create(v, http.maxBodyBytes(), passwords, health, metrics, features);
              built.set(router);
              return router;
            },
                http.shutdownGraceSeconds(), boundPort::set, connections),
            new DeploymentOptions().setInstances(instances))
        .map(id -> new HttpDeployment(id, boundPort.get(), built.get()));
  }

  /**
   * HTTP first (in-flight requests finish and append), then the scheduler (running firings
   * finish), then plugins stop, then the appender drains, then the pools close.
   */
  public synchronized Future<Void> stop() {
    if (stopped == null) {
      stopped = stopOnce();
    }
    return stopped;
  }

  private Future<Void> stopOnce() {
    stopping.set(true);
    retention.stop();
    // Readiness fails first; the listener closes only after the balancers have had time to notice.
    Future<Void> drained = drainDelaySeconds == 0 ? Future.succeededFuture()
        : vertx.timer(drainDelaySeconds, TimeUnit.SECONDS).mapEmpty();
    return drained
        // Live streams never end by themselves: end them, or the HTTP shutdown waits out its grace.
        .compose(v -> live.close())
        .eventually(() -> vertx.undeploy(httpDeployment))
        .onComplete(r -> LOG.info("HTTP servers stopped"))
        .eventually(() -> management.map(HttpServer::close).orElse(Future.succeededFuture()))
        .eventually(definitions::close)
        // Its leases lapse: another instance takes them over.
        .eventually(deliverer::stop)
        .eventually(scheduling::stop)
        .onComplete(r -> LOG.info("scheduler stopped"))
        .eventually(() -> plugins.close(vertx))
        .onComplete(r -> LOG.info("plugins stopped"))
        .eventually(() -> vertx.undeploy(appenderDeployment))
        .onComplete(r -> LOG.info("pending appends drained"))
        .eventually(appenderPool::close)
        .eventually(pool::close);
  }

  /** The management listener's port, when {@code metrics.port} gives it one. */
  public Optional<Integer> managementPort() {
    return management.map(HttpServer::actualPort);
  }

  /** A router this gateway serves (they are all alike): its routes are what /openapi.json must document. */
  public Router router() {
    return router;
  }

  public Retention retention() {
    return retention;
  }

  public int port() {
    return port;
  }

  public EventAppender appender() {
    return appender;
  }

  public Pool pool() {
    return pool;
  }

  public Scheduling scheduling() {
    return scheduling;
  }

  public DefinitionCache definitions() {
    return definitions;
  }

  public PluginRuntime plugins() {
    return plugins;
  }
}
