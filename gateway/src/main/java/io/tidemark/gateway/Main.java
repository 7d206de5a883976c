package io.tidemark.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidemark.gateway.config.ConfigException;
import io.tidemark.gateway.config.ConfigLoader;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.logging.LogSetup;
import io.tidemark.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar tidemark-gateway.jar [config/gateway.yaml]} */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    Path file = Path.of(args.length > 0 ? args[0] : "config/gateway.yaml");
    GatewayConfig config;
    try {
      config = ConfigLoader.load(file, System.getenv());
    } catch (ConfigException e) {
      System.err.println("tidemark: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogSetup.apply(config.logging());
    // Netty's epoll transport where it is available (Linux x86-64); Vert.x falls back to NIO elsewhere.
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    Vertx vertx = GatewayMetrics.vertx(new VertxOptions().setPreferNativeTransport(true), config.metrics(), registry);
    Gateway.start(vertx, config, registry).onComplete(started -> {
      if (started.failed()) {
        LOG.error("Tidemark failed to start", started.cause());
        vertx.close().onComplete(closed -> {
          LogSetup.flush();
          System.exit(1);
        });
        return;
      }
      Gateway gateway = started.result();
      LOG.info("Tidemark listening on http://{}:{}", config.http().host(), gateway.port());
      long deadline = config.http().drainDelaySeconds() + config.http().shutdownGraceSeconds() + 15L;
      // SIGTERM: finish in-flight requests and pending appends before the JVM exits.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("Tidemark shutting down");
        try {
          gateway.stop().toCompletionStage().toCompletableFuture().get(deadline, TimeUnit.SECONDS);
          LOG.info("Tidemark stopped");
        } catch (Exception e) {
          LOG.warn("Tidemark did not stop cleanly within {} s: {}", deadline, e.toString());
        }
        // Closed after, not chained: a callback on vertx.close() would target a terminated event loop.
        try {
          vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.warn("Vert.x did not close cleanly: {}", e.toString());
        }
        LogSetup.flush();
      }, "tidemark-shutdown"));
    });
  }
}
