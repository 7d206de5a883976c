package io.tidemark.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A black-box HTTP client for tests: real requests, whole responses. */
public final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade dance: plain HTTP/1.1 as most clients speak it
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final String base;

  public Http(String base) {
    this.base = base;
  }

  public Request get(String path) {
    return new Request(base, "GET", path);
  }

  public Request post(String path) {
    return new Request(base, "POST", path);
  }

  public Request method(String method, String path) {
    return new Request(base, method, path);
  }

  public static final class Request {
    private final HttpRequest.Builder builder;
    private final String method;
    private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();

    Request(String base, String method, String path) {
      this.builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
      this.method = method;
    }

    public Request as(String user, String password) {
      String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      return header("Authorization", "Basic " + token);
    }

    public Request header(String name, String value) {
      builder.header(name, value);
      return this;
    }

    public Request body(String json) {
      builder.header("Content-Type", "application/json");
      body = HttpRequest.BodyPublishers.ofString(json);
      return this;
    }

    public Response send() {
      try {
        HttpResponse<String> r = CLIENT.send(builder.method(method, body).build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.headers(), r.body());
      } catch (Exception e) {
        throw new IllegalStateException("HTTP " + method + " failed: " + e, e);
      }
    }
  }

  public record Response(int status, java.net.http.HttpHeaders headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonArray jsonArray() {
      return new JsonArray(body);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }
}
