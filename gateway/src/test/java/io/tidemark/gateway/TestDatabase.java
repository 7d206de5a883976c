package io.tidemark.gateway;

import io.tidemark.gateway.config.ConfigLoader;
import io.tidemark.gateway.config.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The real PostgreSQL the tests run against ({@code TIDEMARK_DB_URL}, set by {@code bin/tidemark test}).
 * Each test class works in a schema of its own, so classes can run in parallel and never see
 * each other's rows.
 */
public final class TestDatabase {

  private static final String FALLBACK_URL = "postgresql://tidemark:tidemark@127.0.0.1:5432/tidemark_test";

  private TestDatabase() {}

  public static String url() {
    String url = System.getenv(ConfigLoader.ENV_DB_URL);
    return url == null || url.isBlank() ? FALLBACK_URL : url;
  }

  /** A fresh, unique schema name; the gateway's migrations create the schema itself. */
  public static String newSchema(Class<?> testClass) {
    String name = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    return "t_" + name.substring(0, Math.min(name.length(), 30)) + "_"
        + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  public static void dropSchema(String schema) {
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  /** A JDBC connection working in {@code schema}: for tests that look at rows a gateway in another process wrote. */
  public static Connection connect(String schema) throws SQLException {
    DatabaseUrl url = DatabaseUrl.parse(url());
    Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
    c.setSchema(schema);
    return c;
  }

  public static void execute(String sql) {
    DatabaseUrl url = DatabaseUrl.parse(url());
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test database: " + e.getMessage(), e);
    }
  }
}
