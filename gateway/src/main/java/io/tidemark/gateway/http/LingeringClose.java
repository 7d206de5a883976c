package io.tidemark.gateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Ends the connection of a request whose body is over the limit (413): the body handler stops
 * reading at the limit, and over HTTP/1.1 the next request can only be read after the rest of
 * this body, so the connection would sit until the idle timeout (or until the client gives up),
 * a connection slot held by every client that sends one large body. Like nginx's lingering close it first reads and drops what
 * the client is still sending, for at most {@link #LINGER_MILLIS}, so that the client gets to
 * read the answer rather than a connection reset, then closes.
 */
final class LingeringClose {

  static final long LINGER_MILLIS = 2_000;

  private LingeringClose() {}

  /** Whether the answer to {@code request} must close its connection: its body was not read to the end. */
  static boolean needed(HttpServerRequest request) {
    return !request.isEnded() && request.version() != HttpVersion.HTTP_2;
  }

  /** Once the answer is written: drop the rest of the body, close when it ends or the linger is over. */
  static void after(Vertx vertx, HttpServerRequest request) {
    HttpConnection connection = request.connection();
    long timer = vertx.setTimer(LINGER_MILLIS, id -> connection.close());
    try {
      request.handler(ignored -> { })
          .endHandler(ended -> {
            vertx.cancelTimer(timer);
            connection.close();
          })
          .exceptionHandler(failed -> {
            vertx.cancelTimer(timer);
            connection.close();
          })
          .resume();
    } catch (IllegalStateException alreadyRead) {
      // It ended between the check and now: nothing left to drop.
      vertx.cancelTimer(timer);
      connection.close();
    }
  }
}
