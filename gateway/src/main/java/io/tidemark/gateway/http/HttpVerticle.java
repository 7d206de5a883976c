package io.tidemark.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/** One HTTP server on one event loop; the gateway deploys as many as {@code http.instances}. */
public final class HttpVerticle extends VerticleBase {

  private final HttpServerOptions options;
  private final Function<io.vertx.core.Vertx, Router> routerFactory;
  private final int shutdownGraceSeconds;
  private final Consumer<Integer> boundPort;
  private final ConnectionLimit connections;
  private HttpServer server;

  /** @param connections shared by every instance, so that the limit holds for the whole gateway */
  public HttpVerticle(HttpServerOptions options, Function<io.vertx.core.Vertx, Router> routerFactory,
      int shutdownGraceSeconds, Consumer<Integer> boundPort, ConnectionLimit connections) {
    this.options = options;
    this.connections = connections;
    this.routerFactory = routerFactory;
    this.shutdownGraceSeconds = shutdownGraceSeconds;
    this.boundPort = boundPort;
  }

  /** The listen future, so that a port already in use fails start-up. */
  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options)
        .connectionHandler(connections::admit)
        .invalidRequestHandler(new InvalidRequests(options.getMaxInitialLineLength(), options.getMaxHeaderSize()))
        .requestHandler(routerFactory.apply(vertx));
    return server.listen().onSuccess(s -> boundPort.accept(s.actualPort()));
  }

  /** Stops accepting connections and lets in-flight requests finish, up to the grace period. */
  @Override
  public Future<?> stop() {
    return server.shutdown(shutdownGraceSeconds, TimeUnit.SECONDS);
  }
}
