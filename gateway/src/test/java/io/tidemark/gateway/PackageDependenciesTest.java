package io.tidemark.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layers of the gateway in one direction, so that no package cycle comes back:
 * {@code config} depends on no other gateway package; {@code logging} only on {@code config};
 * {@code store} and {@code security} only on those two; {@code http} on those four, to map their errors in {@code FailureHandler}. The
 * feature packages (behavioral, plugins, schedule, stream) may use all of these, and only the
 * root package ({@code Gateway}, {@code ApiRouter}) assembles everything: no package imports it.
 */
class PackageDependenciesTest {

  private static final Path MAIN = Path.of("src/main/java/io/tidemark/gateway");

  /** What each lower layer may use; a package absent here is a feature, free to use any of them. */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "config", Set.of(),
      "logging", Set.of("config"),
      "store", Set.of("config", "logging"),
      "security", Set.of("config", "logging"),
      "http", Set.of("config", "logging", "store", "security"));

  // io.tidemark.gateway.<package>.<Type>, or io.tidemark.gateway.<Type> for the root package.
  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.tidemark\\.gateway\\.(?:([a-z][a-z0-9_]*)\\.|([A-Z]))");

  @Test
  void layers_depend_only_downwards() {
    assertTrue(Files.isDirectory(MAIN), "run from the gateway module: no " + MAIN.toAbsolutePath());
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(file -> violations.addAll(check(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(List.of(), violations, "imports against the layering (see this test's comment)");
  }

  @Test
  void a_forbidden_import_is_reported_with_its_file_and_line() {
    String source = """
        package io.tidemark.gateway.store;

        import io.tidemark.gateway.config.StoreConfig;
        import io.tidemark.gateway.http.ApiException;
        import static io.tidemark.gateway.security.Permission.ADMIN;
        // io.tidemark.gateway.http.Responses in a comment is no dependency
        class Example {
          Object root = io.tidemark.gateway.Gateway.class;
        }
        """;
    assertEquals(List.of(
            "store/Example.java:4 uses io.tidemark.gateway.http",
            "store/Example.java:5 uses io.tidemark.gateway.security",
            "store/Example.java:8 uses the root package io.tidemark.gateway"),
        violations("store", "store/Example.java", source));
  }

  private static List<String> check(Path file) {
    Path relative = MAIN.relativize(file);
    if (relative.getNameCount() < 2) {
      return List.of(); // the root package may use everything
    }
    try {
      return violations(relative.getName(0).toString(), relative.toString().replace('\\', '/'), Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> violations(String pkg, String name, String source) {
    Set<String> allowed = ALLOWED.get(pkg);
    List<String> found = new ArrayList<>();
    String[] lines = source.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("//") || line.startsWith("*") || line.startsWith("/*")) {
        continue;
      }
      Matcher m = REFERENCE.matcher(line);
      while (m.find()) {
        String target = m.group(1);
        if (target == null) {
          found.add(name + ":" + (i + 1) + " uses the root package io.tidemark.gateway");
        } else if (allowed != null && !target.equals(pkg) && !allowed.contains(target)) {
          found.add(name + ":" + (i + 1) + " uses io.tidemark.gateway." + target);
        }
      }
    }
    return found;
  }
}
