package io.tidemark.gateway.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** One request a benchmark row repeats: the same method, path, credentials and body every time. */
record Call(HttpMethod method, String uri, String user, String password, String jsonBody) {

  static Call get(String uri, String user, String password) {
    return new Call(HttpMethod.GET, uri, user, password, null);
  }

  static Call post(String uri, String user, String password, String jsonBody) {
    return new Call(HttpMethod.POST, uri, user, password, jsonBody);
  }

  RequestOptions options() {
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setURI(uri)
        .setIdleTimeout(30_000)
        .putHeader("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    if (jsonBody != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return options;
  }

  Buffer body() {
    return jsonBody == null ? Buffer.buffer() : Buffer.buffer(jsonBody);
  }

  /** The whole HTTP/1.1 request as sent on a keep-alive connection to {@code host}. */
  byte[] bytes(String host) {
    byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder()
        .append(method.name()).append(' ').append(uri).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n")
        .append("Authorization: ").append(options().getHeaders().get("Authorization")).append("\r\n");
    if (jsonBody != null) {
      head.append("Content-Type: application/json\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = java.util.Arrays.copyOf(headBytes, headBytes.length + body.length);
    System.arraycopy(body, 0, all, headBytes.length, body.length);
    return all;
  }
}
