package io.tidemark.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The gateway as an operator runs it, in a JVM of its own on a config file, for the tests that signal or kill it. */
public final class GatewayProcesses {

  /** The start-up line, in either log format (the JSON encoder escapes slashes). */
  private static final Pattern LISTENING = Pattern.compile("Tidemark listening on http:\\\\?/\\\\?/[^:]+:(\\d+)");

  private GatewayProcesses() {}

  /** Starts {@code Main} on {@code config}, on the test database and a free port, its output to {@code log}. */
  public static Process start(Path config, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), config.toString()));
    builder.environment().put(ConfigLoader.ENV_DB_URL, TestDatabase.url());
    builder.environment().put(ConfigLoader.ENV_HTTP_PORT, "0");
    builder.redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    return builder.start();
  }

  /** Polls the log, within {@code limit}, for the port the gateway bound. */
  public static int awaitPort(Process process, Path log, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(read(log));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      assertTrue(process.isAlive(), () -> "gateway died: " + read(log));
      process.waitFor(50, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError("gateway did not start: " + read(log));
  }

  public static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
