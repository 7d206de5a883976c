package io.tidemark.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Plugin directories for tests, filled with the real jars Maven built in plugins/ before the gateway. */
public final class TestPlugins {

  public static final String POLICY_LIFECYCLE = "policy-lifecycle";
  public static final String LOYALTY_PROCESSORS = "loyalty-processors";
  public static final String FIXTURE_OPERATIONS = "fixture-operations";
  public static final String FIXTURE_OLD_JACKSON = "fixture-old-jackson";
  public static final String FIXTURE_FAILING_START = "fixture-failing-start";

  private TestPlugins() {}

  /** A new directory holding the named plugins' jars. */
  public static Path directoryWith(String... plugins) {
    try {
      Path dir = Files.createTempDirectory("tidemark-plugins-");
      dir.toFile().deleteOnExit();
      for (String plugin : plugins) {
        copyInto(dir, plugin);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a plugin's jar into {@code dir}, as an operator drops a file there. */
  public static Path copyInto(Path dir, String plugin) {
    try {
      return Files.copy(jar(plugin), dir.resolve(plugin + ".jar"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path jar(String plugin) {
    Path root = Path.of(System.getProperty("tidemark.repo.root", ".."), "plugins");
    for (Path candidate : List.of(root.resolve(plugin), root.resolve("test-fixtures").resolve(plugin))) {
      Path jar = candidate.resolve("target").resolve(plugin + ".jar");
      if (Files.isRegularFile(jar)) {
        return jar;
      }
    }
    throw new IllegalStateException("no jar for plugin " + plugin + " under " + root
        + ": build the plugins first (mvn verify builds them before the gateway)");
  }
}
