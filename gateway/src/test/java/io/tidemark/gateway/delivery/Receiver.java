package io.tidemark.gateway.delivery;

import io.tidemark.gateway.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/** A webhook receiver on loopback: records each delivery and answers the status {@code answer} gives for the n-th one (0: hang). */
final class Receiver implements AutoCloseable {

  record Delivery(String id, String timestamp, String signature, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpServer server;
  private final List<Delivery> deliveries = new ArrayList<>();
  private final AtomicInteger count = new AtomicInteger();

  Receiver(Vertx vertx, IntUnaryOperator answer) {
    server = TestGateway.await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      int n = count.incrementAndGet();
      synchronized (deliveries) {
        deliveries.add(new Delivery(request.getHeader("webhook-id"), request.getHeader("webhook-timestamp"),
            request.getHeader("webhook-signature"), body.toString()));
      }
      int status = answer.applyAsInt(n);
      if (status != 0) {
        request.response().setStatusCode(status).end("status " + status);
      }
    })).listen(0, "127.0.0.1"));
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hook";
  }

  List<Delivery> deliveries() {
    synchronized (deliveries) {
      return List.copyOf(deliveries);
    }
  }

  @Override
  public void close() {
    TestGateway.await(server.close());
  }
}
