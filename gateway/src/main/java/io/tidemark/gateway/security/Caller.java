package io.tidemark.gateway.security;

import io.tidemark.gateway.config.Permission;
import io.tidemark.gateway.config.TenantConfig;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * An authenticated user with what it may do. {@code tenants.get(0)} is its default org for the
 * {@code /v2} endpoints.
 */
public record Caller(String name, UUID userLocator, List<TenantConfig> tenants, Set<Permission> permissions) {

  public Caller {
    tenants = List.copyOf(tenants);
    permissions = Set.copyOf(permissions);
  }

  public boolean belongsTo(UUID tenantLocator) {
    return tenants.stream().anyMatch(t -> t.locator().equals(tenantLocator));
  }

  public TenantConfig defaultTenant() {
    return tenants.get(0);
  }
}
