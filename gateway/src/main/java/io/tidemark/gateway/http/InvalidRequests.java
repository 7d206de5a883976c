package io.tidemark.gateway.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.tidemark.gateway.store.TimeOrderedIds;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests the HTTP decoder gave up on before any route could see them: a request line (URI)
 * longer than {@code http.maxUriBytes} is 414, headers larger than {@code http.maxHeaderBytes}
 * are 431, anything else that is not HTTP is 400. Vert.x answers these itself with an empty
 * plain-text body; this answers in the same JSON envelope as every other error, then closes
 * the connection, since the decoder cannot read on from where it stopped.
 */
public final class InvalidRequests implements Handler<HttpServerRequest> {

  private final int maxUriBytes;
  private final int maxHeaderBytes;

  public InvalidRequests(int maxUriBytes, int maxHeaderBytes) {
    this.maxUriBytes = maxUriBytes;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiException error;
    if (cause instanceof TooLongHttpLineException) {
      error = new ApiException(414, "URI_TOO_LONG",
          "The request line (method, URI and query) is longer than the limit of " + maxUriBytes + " bytes");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new ApiException(431, "HEADERS_TOO_LARGE",
          "The request headers are larger than the limit of " + maxHeaderBytes + " bytes");
    } else {
      error = new ApiException(400, "MALFORMED_REQUEST", "The request is not well-formed HTTP");
    }
    // The URI is unknown when the request line itself was too long: then the plain envelope.
    String uri = request.uri();
    request.response()
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json")
        .putHeader(RequestIds.HEADER, TimeOrderedIds.next().toString())
        .putHeader("Connection", "close")
        .end(FailureHandler.body(uri != null && uri.startsWith("/v2/"), error).encode())
        .onComplete(done -> request.connection().close());
  }
}
