package io.tidemark.gateway.config;


/**
 * A route to a plugin operation.
 *
 * @param method GET, POST, PUT, PATCH or DELETE
 * @param path the path, with {@code {name}} parameters; {@code {tenantLocator}} names the tenant
 * @param operation {@code pluginId:operationName}
 * @param permission what the caller needs
 * @param timeoutMillis this route's call time limit; default {@code plugins.callTimeoutMillis}
 */
public record RouteConfig(String method, String path, String operation, Permission permission, Integer timeoutMillis) {

  public String pluginId() {
    return operation.substring(0, operation.indexOf(':'));
  }

  public String operationName() {
    return operation.substring(operation.indexOf(':') + 1);
  }
}
