package io.tidemark.gateway.http;

import io.tidemark.gateway.security.Access;
import io.vertx.ext.web.Router;

/** A feature's routes; mounted behind authentication, each guarding itself with {@link Access#require}. */
public interface Mountable {
  void mount(Router router, Access access);
}
