package io.tidemark.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidemark.gateway.config.ConfigLoader;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.SchedulingConfig;
import io.tidemark.gateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A gateway started in-process on a free port, on the real database, in a schema of the test's own. */
public final class TestGateway implements AutoCloseable {

  public static final String DEMO_TENANT = "a1b2c3d4-0000-4000-8000-000000100737";
  public static final String OTHER_TENANT = "a1b2c3d4-0000-4000-8000-000000200001";

  private final Vertx vertx;
  private final Gateway gateway;
  private final GatewayConfig config;
  private final boolean ownsSchema;

  private TestGateway(Vertx vertx, Gateway gateway, GatewayConfig config, boolean ownsSchema) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.config = config;
    this.ownsSchema = ownsSchema;
  }

  /** A gateway on {@code file} in a new schema of its own, which {@link #close()} drops. */
  public static TestGateway startInFreshSchema(Path file, Class<?> owner) {
    return startInFreshSchema(file, owner, UnaryOperator.identity());
  }

  /** The same, with {@code adjust} applied to the config first (plugins, routes, limits). */
  public static TestGateway startInFreshSchema(Path file, Class<?> owner, UnaryOperator<GatewayConfig> adjust) {
    return startInFreshSchema(file, owner, adjust, Clock.systemUTC());
  }

  /** The same, with retention and delivery judging time by {@code clock}. */
  public static TestGateway startInFreshSchema(Path file, Class<?> owner, UnaryOperator<GatewayConfig> adjust, Clock clock) {
    GatewayConfig config = adjust.apply(load(file, TestDatabase.newSchema(owner)));
    try {
      return start(config, true, clock);
    } catch (RuntimeException e) {
      TestDatabase.dropSchema(config.database().schema());
      throw e;
    }
  }

  /** Another instance on this one's database schema, as a second gateway host would be. */
  public TestGateway anotherInstance() {
    return start(config, false, Clock.systemUTC());
  }

  /** The shipped demo config, {@code config/gateway.yaml}. */
  public static Path shippedConfig() {
    return Path.of(System.getProperty("tidemark.repo.root", ".."), "config", "gateway.yaml");
  }

  /** The demo tenants plus users for every permission case, {@code src/test/resources/test-config}. */
  public static Path testConfig() {
    return Path.of("src", "test", "resources", "test-config", "gateway.yaml");
  }

  /** {@code file} on a free port, in {@code schema}, with a plugins directory holding the shipped plugins. */
  public static GatewayConfig load(Path file, String schema) {
    GatewayConfig config = ConfigLoader.load(file, Map.of(ConfigLoader.ENV_DB_URL, TestDatabase.url()));
    // Small pools: test classes run concurrently, each with gateways of its own, against one server.
    return config
        .withHttp(config.http().withPort(0).withInstances(1))
        .withDatabase(config.database().withSchema(schema).withPoolSize(4))
        .withScheduling(new SchedulingConfig(2, config.scheduling().misfirePolicy(), 200, 1000, 3, 1000))
        .withPlugins(config.plugins().withDirectory(
            TestPlugins.directoryWith(TestPlugins.POLICY_LIFECYCLE, TestPlugins.LOYALTY_PROCESSORS).toString()));
  }

  /** A gateway on {@code config} as given; the caller owns its schema. */
  public static TestGateway start(GatewayConfig config) {
    return start(config, false, Clock.systemUTC());
  }

  private static TestGateway start(GatewayConfig config, boolean ownsSchema, Clock clock) {
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    Vertx vertx = GatewayMetrics.vertx(new VertxOptions(), config.metrics(), registry);
    try {
      return new TestGateway(vertx, await(Gateway.start(vertx, config, registry, clock)), config, ownsSchema);
    } catch (RuntimeException e) {
      await(vertx.close());
      throw e;
    }
  }

  public Http http() {
    return new Http("http://127.0.0.1:" + gateway.port());
  }

  public Gateway gateway() {
    return gateway;
  }

  public GatewayConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    // Two steps: a callback chained onto vertx.close() would be dispatched to an event loop that
    // the close has just terminated, and never run.
    try {
      await(gateway.stop());
    } finally {
      await(vertx.close());
      if (ownsSchema) {
        TestDatabase.dropSchema(config.database().schema());
      }
    }
  }

  /** Waits on a test thread, never on an event loop. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
