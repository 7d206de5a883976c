package io.tidemark.gateway.config;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A user of the htpasswd file, with what it may do. The first tenant is its default org for
 * the {@code /v2} endpoints, which carry no tenant in the path.
 */
public record UserConfig(String name, UUID userLocator, List<String> tenants, Set<Permission> permissions) {

  public UserConfig {
    tenants = tenants == null ? List.of() : List.copyOf(tenants);
    permissions = permissions == null ? Set.of() : Set.copyOf(permissions);
  }
}
