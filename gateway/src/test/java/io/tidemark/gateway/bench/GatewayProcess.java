package io.tidemark.gateway.bench;

import io.tidemark.gateway.config.ConfigLoader;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway as {@code bin/tidemark run} starts it: {@code java -jar tidemark-gateway.jar} on
 * the shipped config, in a JVM of its own, so that the benchmark measures what a user runs and
 * the load generator does not share its heap or JIT.
 *
 * <p>On a port picked here, not port 0: with port 0 the gateway serves HTTP from one event loop
 * (several servers would each get a port of their own), where the shipped config's fixed port
 * gets one per core. The log line says which port it listens on.
 */
final class GatewayProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("Tidemark listening on http:\\\\?/\\\\?/[^:]+:(\\d+)");
  private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB");

  private final Process process;
  private final Path log;
  private final int port;

  private GatewayProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  static GatewayProcess start(Path repoRoot, Path config, String databaseUrl, List<String> javaOptions, Path log)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(javaOptions);
    command.addAll(List.of("-jar", repoRoot.resolve("gateway/target/tidemark-gateway.jar").toString(), config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(repoRoot.toFile());
    builder.environment().put(ConfigLoader.ENV_DB_URL, databaseUrl);
    builder.environment().put(ConfigLoader.ENV_HTTP_PORT, Integer.toString(freePort()));
    builder.redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    try {
      GatewayProcess gateway = new GatewayProcess(process, log, awaitPort(process, log));
      gateway.awaitHealthy();
      return gateway;
    } catch (RuntimeException | IOException | InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  int port() {
    return port;
  }

  /** A port nothing listens on now; the gateway binds it a moment later. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** CPU time the gateway's JVM has used so far, all threads. */
  Duration cpu() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** Resident set size in bytes, or -1 where /proc is not there to ask. */
  long rssBytes() {
    try {
      Matcher m = VM_RSS.matcher(Files.readString(Path.of("/proc", Long.toString(process.pid()), "status")));
      return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** SIGTERM, as an operator stops it; the gateway drains and exits. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  private static int awaitPort(Process process, Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("the gateway exited with " + process.exitValue() + " before listening; see " + log);
      }
      process.waitFor(100, TimeUnit.MILLISECONDS);
    }
    throw new IllegalStateException("the gateway did not listen within 120 s; see " + log);
  }

  private void awaitHealthy() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int status = 0;
    while (System.nanoTime() < deadline) {
      status = http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status == 200) {
        return;
      }
      process.waitFor(100, TimeUnit.MILLISECONDS);
    }
    throw new IllegalStateException("/health answered " + status + " for 60 s; see " + log);
  }
}
