package io.tidemark.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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

  /**
   * The shipped config and users copied into {@code dir}, in a schema of the caller's own, with the
   * shipped plugins' jars; {@code edit} changes the YAML further.
   */
  public static Path shippedConfigIn(Path dir, String schema, UnaryOperator<String> edit) throws IOException {
    Path shipped = TestGateway.shippedConfig().getParent();
    Files.copy(shipped.resolve("users.htpasswd"), dir.resolve("users.htpasswd"));
    Path plugins = TestPlugins.directoryWith(TestPlugins.POLICY_LIFECYCLE, TestPlugins.LOYALTY_PROCESSORS);
    String yaml = Files.readString(shipped.resolve("gateway.yaml"))
        .replaceFirst("(?m)^  schema: .*$", "  schema: " + schema)
        .replaceFirst("(?m)^  directory: .*$", "  directory: " + plugins)
        // Fewer connections than the shipped 8 + Quartz's 8: other test classes share the server.
        .replaceFirst("(?m)^  poolSize: .*$", "  poolSize: 4")
        .replaceFirst("(?m)^  threadCount: .*$", "  threadCount: 2");
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, edit.apply(yaml));
    return config;
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
