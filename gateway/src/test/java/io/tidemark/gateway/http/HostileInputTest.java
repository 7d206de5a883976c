package io.tidemark.gateway.http;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tidemark.gateway.RawHttp;
import io.tidemark.gateway.TestGateway;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of the shipped deployment, sent what an attacker or a broken client sends: NUL in
 * each parameter, numbers and dates out of range, bodies too large, malformed, mistyped or
 * nested without end, thousands of headers, a huge URI, garbled credentials and tokens. Each
 * answer must be a 4xx with a JSON body (never a 5xx, never a hang), nothing may be written for
 * a rejected request, and the route must still serve a normal request afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {

  private static final String T = DEMO_TENANT;
  private static final String ADMIN = "Authorization: Basic " + basic("admin", "admin-secret");
  private static final long MAX_BODY = 1024 * 1024; // config/gateway.yaml
  /** An answer slower than this is a hang in the making (the machine is shared: generous). */
  private static final long SLOW_MILLIS = 5_000;
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

  private enum Kind { TEXT, INT, DATE, LOG_DATE, TOKEN }

  /**
   * A route with the values of a normal request: path parameters, the query parameters it reads
   * (and their kind), a body for methods that take one, and the status that request gets.
   */
  record Route(String method, String template, Map<String, String> pathValues, Map<String, Kind> query,
      String body, int normalStatus, String fixedQuery) {

    Route(String method, String template, Map<String, String> pathValues, Map<String, Kind> query, String body,
        int normalStatus) {
      this(method, template, pathValues, query, body, normalStatus, "");
    }

    String path(Map<String, String> values) {
      Matcher m = PARAM.matcher(template);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
      }
      m.appendTail(out);
      return out.toString();
    }

    String normalPath() {
      return path(pathValues) + (fixedQuery.isEmpty() ? "" : "?" + fixedQuery);
    }

    /** What joins one more query parameter to {@link #normalPath()}. */
    String and() {
      return fixedQuery.isEmpty() ? "?" : "&";
    }

    @Override
    public String toString() {
      return method + " " + template;
    }
  }

  private static final String DEFINITION = """
      {"eventName":"Hostile_Probe","description":"d","actions":[],
       "fields":[{"name":"n","type":"string"}]}""";
  private static final String POLICY = """
      {"productName":"travel","startTime":"2026-01-01T00:00:00Z","endTime":"2026-02-01T00:00:00Z","premium":30}""";

  static List<Route> routes() {
    String events = "/event/{tenantLocator}/events";
    Map<String, String> tenant = Map.of("tenantLocator", T);
    Map<String, Kind> failedPaging = Map.of("offset", Kind.INT, "count", Kind.INT);
    return List.of(
        new Route("GET", "/health", Map.of(), Map.of(), null, 200),
        new Route("GET", events + "/list", tenant, Map.of("type", Kind.TEXT, "startTimestamp", Kind.DATE,
            "endTimestamp", Kind.DATE, "pageSize", Kind.INT, "pagingToken", Kind.TOKEN), null, 200),
        new Route("GET", events + "/request/{locator}", Map.of("tenantLocator", T, "locator", "req-1"), Map.of(), null, 200),
        new Route("GET", events + "/{locator}", Map.of("tenantLocator", T, "locator", "01ARZ3NDEKTSV4RRFFQ69G5FAV"),
            Map.of(), null, 404),
        new Route("GET", events + "/schedules/policy/{policyLocator}", Map.of("tenantLocator", T, "policyLocator", "p-1"),
            Map.of(), null, 200),
        new Route("GET", events + "/schedules/tenant/failed/list", tenant, failedPaging, null, 200),
        new Route("GET", events + "/schedules/policy/{policyLocator}/failed/list",
            Map.of("tenantLocator", T, "policyLocator", "p-1"), failedPaging, null, 200),
        new Route("GET", events + "/schedules/failed/list", tenant, failedPaging, null, 200),
        new Route("GET", events + "/schedules/failed/{failedJobState}/list",
            Map.of("tenantLocator", T, "failedJobState", "queued"), failedPaging, null, 200),
        new Route("POST", events + "/schedules/failed/resume", tenant, Map.of(),
            "{\"triggerName\":\"none\",\"triggerGroup\":\"" + T + "\"}", 404),
        new Route("DELETE", events + "/schedules/failed", tenant, Map.of(),
            "{\"triggerName\":\"none\",\"triggerGroup\":\"" + T + "\"}", 404),
        new Route("GET", "/v2/events/audit_logs", Map.of(), Map.of("format", Kind.TEXT, "eventName", Kind.TEXT), null, 200,
            "eventName=Hostile_Probe"),
        new Route("GET", "/v2/events/logs", Map.of(), Map.of("event_name", Kind.TEXT, "status", Kind.TEXT,
            "from_date", Kind.LOG_DATE, "to_date", Kind.LOG_DATE, "limit", Kind.INT, "cursor", Kind.TOKEN), null, 200),
        // Defined in start(): the normal request is a conflict, which it reaches only after every check.
        new Route("POST", "/v2/events", Map.of(), Map.of(), DEFINITION, 409),
        new Route("GET", "/v2/events", Map.of(), Map.of(), null, 200),
        new Route("GET", "/v2/events/{eventName}", Map.of("eventName", "Hostile_Probe"), Map.of(), null, 200),
        new Route("PUT", "/v2/events/{eventName}", Map.of("eventName", "Hostile_Probe"), Map.of(), DEFINITION, 200),
        new Route("DELETE", "/v2/events/{eventName}", Map.of("eventName", "Nothing_Here"), Map.of(), null, 404),
        new Route("POST", "/v2/webhooks/{webhookId}/events", Map.of("webhookId", "67b62dffb7f5337f8a8237970bd0a467"),
            Map.of(), "{\"event_name\":\"Hostile_Probe\",\"n\":\"x\"}", 200),
        new Route("POST", "/policy/{tenantLocator}/policies", tenant, Map.of(), POLICY, 201),
        new Route("GET", "/admin/plugins", Map.of(), Map.of(), null, 200),
        new Route("POST", "/admin/plugins/load", Map.of(), Map.of(), "{\"file\":\"no-such.jar\"}", 404),
        new Route("POST", "/admin/plugins/{pluginId}/start", Map.of("pluginId", "no-such-plugin"), Map.of(), null, 404),
        new Route("POST", "/admin/plugins/{pluginId}/stop", Map.of("pluginId", "no-such-plugin"), Map.of(), null, 404));
  }

  private TestGateway gateway;
  private RawHttp raw;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), HostileInputTest.class,
        // Garbled credentials are part of the fuzz: the failed-login throttle must not lock out the normal requests.
        c -> c.withSecurity(c.security().withFailedLoginLimits(0, 0)));
    raw = new RawHttp(gateway.gateway().port());
    assertEquals(201, send(routes().get(13), routes().get(13).normalPath(), ADMIN, bytes(DEFINITION)).status());
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  // ---- the variants

  /** Any 4xx will do, but nothing else. */
  private static final int ANY_4XX = -1;

  /**
   * A hostile request and the status it must get: {@code exact} when one is required,
   * {@link #ANY_4XX}, or {@code null} when the request may even succeed (a text id that names
   * nothing, a mistyped optional field) so long as it gets no 5xx.
   */
  record Hostile(String what, String path, String headers, byte[] body, Integer exact) {}

  static List<Hostile> variants(Route route) {
    List<Hostile> out = new ArrayList<>();
    String normal = route.normalPath();
    String auth = route.template().equals("/health") ? "" : ADMIN;
    byte[] body = route.body() == null ? null : bytes(route.body());

    for (String name : route.pathValues().keySet()) {
      for (String bad : List.of("x%00y", "%00", "%C0%80", "%ED%A0%80", "9".repeat(400), "%25%00")) {
        Map<String, String> values = new LinkedHashMap<>(route.pathValues());
        values.put(name, bad);
        out.add(new Hostile("path " + name + "=" + bad, route.path(values), auth, body,
            bad.contains("%00") ? 400 : null));
      }
    }
    List<String> queryNames = new ArrayList<>(route.query().keySet());
    queryNames.add("unknown");
    for (String name : queryNames) {
      out.add(new Hostile("query " + name + " NUL", normal + route.and() + name + "=a%00b", auth, body, 400));
      out.add(new Hostile("query key NUL", normal + route.and() + name + "%00=a", auth, body, 400));
      out.add(new Hostile("query " + name + " surrogate", normal + route.and() + name + "=%ED%A0%80", auth, body, null));
      out.add(new Hostile("query " + name + " bad encoding", normal + route.and() + name + "=%zz%", auth, body, 400));
    }
    route.query().forEach((name, kind) -> {
      List<String> bad = switch (kind) {
        case INT -> List.of("99999999999", "-99999999999", "1e400", "NaN", "0x10", "-1", "2147483648", "abc");
        case DATE -> List.of("1969-12-31T23:59:59Z", "%2B10000-01-01T00:00:00Z", "10000-01-01T00:00:00Z",
            "-999999999-01-01T00:00:00Z", "%2B999999999-12-31T23:59:59Z", "99999999999999999999", "2026-13-45T99:00:00Z");
        case LOG_DATE -> List.of("1969-12-31", "0001-01-01", "99999999999999999999", "99999999999999999",
            "10000-01-01T00:00:00Z", "%2B10000-01-01T00:00:00Z", "-1", "2026-02-30");
        case TOKEN -> List.of("garbage", "AAAA", "A".repeat(2000), "%FF%FE", "..%2F..");
        case TEXT -> List.of();
      };
      bad.forEach(value -> out.add(new Hostile("query " + name + "=" + value, normal + route.and() + name + "=" + value,
          auth, body, 400)));
    });
    if (body != null) {
      for (Map.Entry<String, String> b : hostileBodies(route.body()).entrySet()) {
        out.add(new Hostile("body " + b.getKey(), normal, auth, bytes(b.getValue()), mustReject(route, b.getKey())));
      }
      out.add(new Hostile("body over the limit", normal, auth, new byte[(int) MAX_BODY + 1], 413));
      out.add(new Hostile("body not UTF-8", normal, auth, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'}, null));
    } else if (!route.method().equals("GET")) {
      out.add(new Hostile("body over the limit", normal, auth, new byte[(int) MAX_BODY + 1], 413));
    }
    if (!auth.isEmpty()) {
      for (String cred : List.of("Basic %%%", "Basic " + basic("adm\0in", "x"), "Basic " + basic("admin", "wrong"),
          "Bearer x", "Basic", "Basic " + "A".repeat(6000))) {
        out.add(new Hostile("credentials " + cred.substring(0, Math.min(cred.length(), 20)), normal,
            "Authorization: " + cred, body, 401));
      }
    }
    StringBuilder many = new StringBuilder(auth.isEmpty() ? "X-First: v" : auth);
    for (int i = 0; i < 5000; i++) {
      many.append("\r\nX-H").append(i).append(": v");
    }
    out.add(new Hostile("5000 headers", normal, many.toString(), body, 431));
    out.add(new Hostile("huge URI", normal + route.and() + "q=" + "a".repeat(100_000), auth, body, 414));
    StringBuilder params = new StringBuilder(normal).append(route.and());
    for (int i = 0; i < 3000; i++) {
      params.append("p").append(i).append("=1&");
    }
    out.add(new Hostile("3000 query parameters", params.toString(), auth, body, 414));
    return out;
  }

  /**
   * Whether the body variant named {@code what} must be refused: anything that is not a JSON
   * object, holds what PostgreSQL cannot store or a number beyond a double; and a date-time field
   * set outside 1970–9999.
   */
  static Integer mustReject(Route route, String what) {
    if (List.of("truncated", "array", "string", "null", "number 1e400", "deep array", "deep object",
        "NUL value", "NUL key", "lone surrogate").contains(what)) {
      return ANY_4XX;
    }
    if (what.endsWith("=1e400") || what.endsWith("=-1e400") || what.endsWith("=\"\\u0000\"")) {
      return ANY_4XX;
    }
    String field = what.substring(0, Math.max(0, what.indexOf('=')));
    Object normal = field.isEmpty() ? null : new JsonObject(route.body()).getValue(field);
    boolean dateField = normal instanceof String s && s.matches("\\d{4}-\\d{2}-\\d{2}T.*");
    boolean outOfRange = what.contains("10000-") || what.contains("999999999-") || what.contains("1969-");
    return dateField && outOfRange ? ANY_4XX : null;
  }

  /** Malformed, mistyped, out-of-range and deeply nested variants of a normal body. */
  static Map<String, String> hostileBodies(String normal) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("empty", "");
    out.put("truncated", normal.substring(0, normal.length() / 2));
    out.put("array", "[1,2]");
    out.put("string", "\"x\"");
    out.put("null", "null");
    out.put("number 1e400", "1e400");
    out.put("deep array", "[".repeat(100_000) + "]".repeat(100_000));
    out.put("deep object", "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000));
    out.put("NUL value", "{\"a\":\"\\u0000\"}");
    out.put("NUL key", "{\"\\u0000\":1}");
    out.put("lone surrogate", "{\"a\":\"\\ud800\"}");
    out.put("duplicate keys", normal.replaceFirst("\\{", "{\"x\":1,\"x\":2,"));
    JsonObject object = new JsonObject(normal);
    for (String field : object.fieldNames()) {
      for (String value : List.of("1e400", "-1e400", "99999999999999999999999999999", "true", "[]", "{}", "null",
          "\"\\u0000\"", "\"" + "x".repeat(100_000) + "\"", "\"%2B10000-01-01T00:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"",
          "\"-999999999-01-01T00:00:00Z\"", "\"1969-01-01T00:00:00Z\"", "-1", "0")) {
        JsonObject copy = object.copy();
        copy.remove(field);
        String json = copy.encode();
        String prefix = "{\"" + field + "\":" + value + (copy.isEmpty() ? "" : ",");
        out.put(field + "=" + (value.length() > 40 ? value.substring(0, 40) : value), prefix + json.substring(1));
      }
    }
    return out;
  }

  static Stream<Route> everyRoute() {
    return routes().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyRoute")
  void hostile_requests_get_a_json_4xx_and_leave_the_route_working(Route route) {
    List<String> problems = new ArrayList<>();
    List<String> rejectedWrites = new ArrayList<>();
    int n = 0;
    for (Hostile h : variants(route)) {
      String requestId = "hostile-" + route.method() + "-" + (n++) + "-" + System.nanoTime();
      String headers = h.headers().isEmpty() ? "X-Request-Id: " + requestId : h.headers() + "\r\nX-Request-Id: " + requestId;
      RawHttp.Response r = send(route, h.path(), headers, h.body());
      String problem = judge(h, r);
      if (problem != null) {
        problems.add(h.what() + ": " + problem + " — " + r);
      }
      // A plugin operation that fails keeps the events it emitted (422 and the like, by design);
      // a request the gateway itself refused must have written nothing.
      if (!route.method().equals("GET") && List.of(400, 401, 403, 404, 413).contains(r.status())
          && !"OPERATION_FAILED".equals(code(r))) {
        rejectedWrites.add(requestId);
      }
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " hostile requests to " + route + " were mishandled:\n" + String.join("\n", problems));
    }
    for (String requestId : rejectedWrites) {
      RawHttp.Response events = raw.send("GET /event/" + T + "/events/request/" + requestId + " HTTP/1.1\r\nHost: localhost\r\n"
          + ADMIN, null);
      assertEquals("200 []", events.status() + " " + events.body(), "events written by rejected request " + requestId);
    }
    RawHttp.Response normal = send(route, route.normalPath(), route.template().equals("/health") ? "" : ADMIN,
        route.body() == null ? null : bytes(route.body()));
    assertEquals(route.normalStatus(), normal.status(), () -> "a normal request after the hostile ones: " + normal);
  }

  private static String code(RawHttp.Response r) {
    JsonObject json = r.jsonOrNull();
    return json == null ? null : json.getString("code");
  }

  /** Random mutations of every route's normal request, many of them combined: no 5xx, JSON on every 4xx. */
  @Test
  void ten_thousand_random_mutations_never_get_a_5xx() {
    Random random = new Random(20261127);
    List<Route> routes = routes();
    List<String> tokens = List.of("%00", "%ff", "%ED%A0%80", "99999999999", "1e400", "-1", "%2B10000-01-01T00:00:00Z",
        "1969-12-31", "", "%20", "..%2F", "%25", "\\", "'", "\"", "<x>", "A".repeat(300), "%C0%80", "null", "[]");
    int count = Integer.getInteger("tidemark.fuzz.requests", 10_000);
    List<String> problems = new ArrayList<>();
    long slowest = 0;
    for (int i = 0; i < count && problems.size() < 20; i++) {
      Route route = routes.get(random.nextInt(routes.size()));
      Map<String, String> values = new LinkedHashMap<>(route.pathValues());
      values.replaceAll((k, v) -> random.nextInt(3) == 0 ? tokens.get(random.nextInt(tokens.size())) : v);
      StringBuilder path = new StringBuilder(route.path(values)).append('?');
      List<String> names = new ArrayList<>(route.query().keySet());
      names.add("x");
      for (String name : names) {
        if (random.nextBoolean()) {
          path.append(name).append('=').append(tokens.get(random.nextInt(tokens.size()))).append('&');
        }
      }
      // Wrong passwords are rare here: each costs a bcrypt check (the per-route test has its own).
      String headers = switch (random.nextInt(100)) {
        case 0 -> "Authorization: Basic " + basic("admin", tokens.get(random.nextInt(tokens.size())));
        case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 -> "";
        case 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 -> ADMIN + "\r\nContent-Type: text/plain";
        default -> ADMIN;
      };
      byte[] body = null;
      if (route.body() != null || random.nextInt(4) == 0) {
        String base = route.body() == null ? "{\"a\":1}" : route.body();
        body = bytes(mutate(base, random, tokens));
      }
      long began = System.nanoTime();
      RawHttp.Response r = send(route, path.toString(), headers, body);
      long millis = (System.nanoTime() - began) / 1_000_000;
      slowest = Math.max(slowest, millis);
      if (millis > SLOW_MILLIS) {
        problems.add("#" + i + " " + route.method() + " " + path + ": took " + millis + " ms: " + r);
      }
      if (r.status() >= 500) {
        problems.add("#" + i + " " + route.method() + " " + path + " body " + (body == null ? "-" : new String(body, StandardCharsets.UTF_8))
            + ": " + r);
      } else if (r.status() >= 400 && r.jsonOrNull() == null) {
        problems.add("#" + i + " " + route.method() + " " + path + ": not JSON: " + r);
      }
    }
    if (!problems.isEmpty()) {
      fail("mishandled (slowest answer " + slowest + " ms):\n" + String.join("\n", problems));
    }
  }

  private static String mutate(String json, Random random, List<String> tokens) {
    StringBuilder s = new StringBuilder(json);
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(s.length() + 1);
      switch (random.nextInt(4)) {
        case 0 -> s.insert(at, tokens.get(random.nextInt(tokens.size())).replace("%00", "\\u0000"));
        case 1 -> { if (at < s.length()) s.deleteCharAt(at); }
        case 2 -> s.insert(at, random.nextBoolean() ? "1e400" : "{\"a\":[[[[[[[[[[]]]]]]]]]]}");
        default -> s.insert(at, (char) random.nextInt(0x80));
      }
    }
    return s.toString();
  }

  /** Why the answer to {@code h} is wrong, or {@code null} when it is right. */
  private static String judge(Hostile h, RawHttp.Response r) {
    if (r.status() >= 500) {
      return "a 5xx";
    }
    if (h.exact() != null && h.exact() == ANY_4XX && r.status() < 400) {
      return "expected a 4xx";
    }
    if (h.exact() != null && h.exact() != ANY_4XX && r.status() != h.exact()) {
      return "expected " + h.exact();
    }
    if (r.status() >= 400) {
      JsonObject json = r.jsonOrNull();
      if (json == null || !"application/json".equals(r.header("content-type"))) {
        return "not a JSON error body";
      }
    }
    return null;
  }

  private RawHttp.Response send(Route route, String path, String headers, byte[] body) {
    String head = route.method() + " " + path + " HTTP/1.1\r\nHost: localhost"
        + (headers.isEmpty() ? "" : "\r\n" + headers)
        + (body == null || headers.contains("Content-Type") ? "" : "\r\nContent-Type: application/json");
    RawHttp.Response r = raw.send(head, body);
    assertNotNull(r);
    return r;
  }

  private static String basic(String user, String password) {
    return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void the_variants_cover_every_route_the_router_serves() {
    assertTrue(routes().size() >= 24);
  }
}
