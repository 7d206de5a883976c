package io.tidemark.gateway.config;

/**
 * The PostgreSQL database holding the event store.
 *
 * @param url a {@code postgresql://user:pass@host:port/db} URL; {@code TIDEMARK_DB_URL} overrides it
 * @param schema the schema Tidemark's tables live in (created by the migrations)
 * @param poolSize connections in the reactive pool shared by every verticle
 * @param connectTimeoutSeconds how long a connection attempt may take before the store counts as unavailable
 */
public record DatabaseConfig(String url, String schema, Integer poolSize, Integer connectTimeoutSeconds) {

  public DatabaseConfig {
    url = url == null ? "postgresql://tidemark:tidemark@127.0.0.1:5432/tidemark" : url;
    schema = schema == null ? "tidemark" : schema;
    poolSize = poolSize == null ? 8 : poolSize;
    connectTimeoutSeconds = connectTimeoutSeconds == null ? 5 : connectTimeoutSeconds;
  }

  static DatabaseConfig defaults() {
    return new DatabaseConfig(null, null, null, null);
  }

  public DatabaseConfig withUrl(String url) {
    return new DatabaseConfig(url, schema, poolSize, connectTimeoutSeconds);
  }

  public DatabaseConfig withSchema(String schema) {
    return new DatabaseConfig(url, schema, poolSize, connectTimeoutSeconds);
  }

  public DatabaseConfig withPoolSize(int poolSize) {
    return new DatabaseConfig(url, schema, poolSize, connectTimeoutSeconds);
  }

  public DatabaseUrl parsedUrl() {
    return DatabaseUrl.parse(url);
  }
}
