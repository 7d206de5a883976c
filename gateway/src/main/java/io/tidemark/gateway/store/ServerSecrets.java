package io.tidemark.gateway.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;

/**
 * Secrets generated once per database and shared by every gateway instance on it. The first
 * instance to start creates a secret; the others, and later restarts, read the same one.
 */
public final class ServerSecrets {

  private static final String CREATE = """
      INSERT INTO server_secret (name, secret) VALUES ($1, $2)
      ON CONFLICT (name) DO NOTHING""";
  private static final String READ = "SELECT secret FROM server_secret WHERE name = $1";

  private ServerSecrets() {}

  public static Future<byte[]> getOrCreate(Pool pool, String name) {
    byte[] candidate = new byte[32];
    new SecureRandom().nextBytes(candidate);
    return pool.preparedQuery(CREATE).execute(Tuple.of(name, Buffer.buffer(candidate)))
        .compose(v -> pool.preparedQuery(READ).execute(Tuple.of(name)))
        .map(rows -> rows.iterator().next().getBuffer("secret").getBytes());
  }
}
