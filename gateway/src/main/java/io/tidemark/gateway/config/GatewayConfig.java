package io.tidemark.gateway.config;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The whole gateway configuration, as bound from {@code config/gateway.yaml} with the
 * environment overrides applied. Immutable; validated by {@link ConfigLoader} before use.
 */
public record GatewayConfig(
    HttpConfig http,
    DatabaseConfig database,
    StoreConfig store,
    SecurityConfig security,
    List<TenantConfig> tenants,
    List<UserConfig> users,
    List<WebhookConfig> webhooks,
    PluginsConfig plugins,
    List<RouteConfig> routes,
    BehavioralConfig behavioral,
    SchedulingConfig scheduling,
    LoggingConfig logging,
    MetricsConfig metrics,
    RetentionConfig retention,
    LiveConfig live,
    DeliveryConfig delivery) {

  public GatewayConfig {
    http = http == null ? HttpConfig.defaults() : http;
    database = database == null ? DatabaseConfig.defaults() : database;
    store = store == null ? StoreConfig.defaults() : store;
    security = security == null ? SecurityConfig.defaults() : security;
    tenants = tenants == null ? List.of() : List.copyOf(tenants);
    users = users == null ? List.of() : List.copyOf(users);
    webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    plugins = plugins == null ? PluginsConfig.defaults() : plugins;
    routes = routes == null ? List.of() : List.copyOf(routes);
    behavioral = behavioral == null ? BehavioralConfig.defaults() : behavioral;
    scheduling = scheduling == null ? SchedulingConfig.defaults() : scheduling;
    logging = logging == null ? LoggingConfig.defaults() : logging;
    metrics = metrics == null ? MetricsConfig.defaults() : metrics;
    retention = retention == null ? RetentionConfig.defaults() : retention;
    live = live == null ? LiveConfig.defaults() : live;
    delivery = delivery == null ? DeliveryConfig.defaults() : delivery;
  }

  public Optional<TenantConfig> tenantNamed(String name) {
    return tenants.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public Optional<TenantConfig> tenant(UUID locator) {
    return tenants.stream().filter(t -> t.locator().equals(locator)).findFirst();
  }

  public GatewayConfig withHttp(HttpConfig http) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withDatabase(DatabaseConfig database) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withStore(StoreConfig store) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withSecurity(SecurityConfig security) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withPlugins(PluginsConfig plugins) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withRoutes(List<RouteConfig> routes) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withWebhooks(List<WebhookConfig> webhooks) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withBehavioral(BehavioralConfig behavioral) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withScheduling(SchedulingConfig scheduling) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withLogging(LoggingConfig logging) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withMetrics(MetricsConfig metrics) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withRetention(RetentionConfig retention) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withLive(LiveConfig live) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public GatewayConfig withDelivery(DeliveryConfig delivery) {
    return new GatewayConfig(http, database, store, security, tenants, users, webhooks, plugins, routes, behavioral, scheduling, logging, metrics, retention, live, delivery);
  }

  public Optional<WebhookConfig> webhook(String id) {
    return webhooks.stream().filter(w -> w.id().equals(id)).findFirst();
  }
}
