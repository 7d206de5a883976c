package io.tidemark.gateway.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads {@code gateway.yaml}, applies the environment overrides and validates the result.
 * The single source of truth for configuration: nothing else reads files or the environment.
 */
public final class ConfigLoader {

  public static final String ENV_HTTP_PORT = "TIDEMARK_HTTP_PORT";
  public static final String ENV_DB_URL = "TIDEMARK_DB_URL";
  public static final String ENV_LOG_FORMAT = "TIDEMARK_LOG_FORMAT";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

  private ConfigLoader() {}

  /** Loads, overrides from {@code env} and validates; throws {@link ConfigException} naming the bad key. */
  public static GatewayConfig load(Path file, Map<String, String> env) {
    GatewayConfig parsed = parse(file);
    GatewayConfig config = applyEnv(parsed, env);
    config = resolveFiles(config, file.toAbsolutePath().getParent());
    ConfigValidator.validate(config);
    return config;
  }

  static GatewayConfig parse(Path file) {
    try {
      GatewayConfig config = YAML.readValue(Files.readAllBytes(file), GatewayConfig.class);
      if (config == null) {
        throw new ConfigException(file + ": the file is empty");
      }
      return config;
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such config file");
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(file + ": unknown key '" + keyPath(e) + "'");
    } catch (InvalidFormatException e) {
      throw new ConfigException(file + ": " + keyPath(e) + ": invalid value '" + e.getValue() + "'"
          + expectation(e.getTargetType()));
    } catch (JsonMappingException e) {
      throw new ConfigException(file + ": " + keyPath(e) + ": " + e.getOriginalMessage());
    } catch (JacksonException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
    }
  }

  private static GatewayConfig applyEnv(GatewayConfig config, Map<String, String> env) {
    String port = env.get(ENV_HTTP_PORT);
    if (port != null && !port.isBlank()) {
      try {
        config = config.withHttp(config.http().withPort(Integer.parseInt(port.trim())));
      } catch (NumberFormatException e) {
        throw new ConfigException(ENV_HTTP_PORT + ": not a port number: '" + port + "'");
      }
    }
    String format = env.get(ENV_LOG_FORMAT);
    if (format != null && !format.isBlank()) {
      LoggingConfig logging = config.logging();
      config = config.withLogging(new LoggingConfig(format.trim(), logging.level(), logging.accessLog()));
    }
    String url = env.get(ENV_DB_URL);
    if (url != null && !url.isBlank()) {
      config = config.withDatabase(config.database().withUrl(url.trim()));
    }
    return config;
  }

  /** Paths in the file are relative to the file's folder. */
  private static GatewayConfig resolveFiles(GatewayConfig config, Path configDir) {
    Path htpasswd = configDir.resolve(config.security().htpasswdFile()).normalize();
    Path plugins = configDir.resolve(config.plugins().directory()).normalize();
    return config
        .withSecurity(config.security().withHtpasswdFile(htpasswd.toString()))
        .withPlugins(config.plugins().withDirectory(plugins.toString()));
  }

  /** {@code users[1].tenants} from Jackson's path of references. */
  private static String keyPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "(top level)" : path.toString();
  }

  private static String expectation(Class<?> type) {
    if (type == null) {
      return "";
    }
    if (type == Permission.class) {
      return " (expected one of " + Arrays.stream(Permission.values()).map(Permission::wireName).toList() + ")";
    }
    return switch (type.getSimpleName()) {
      case "UUID" -> " (expected a UUID)";
      case "Integer", "int", "Long", "long" -> " (expected a whole number)";
      default -> " (expected " + type.getSimpleName() + ")";
    };
  }
}
