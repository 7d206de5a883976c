package io.tidemark.gateway.security;

import io.vertx.ext.web.Router;

/** A feature's routes; mounted behind authentication, each guarding itself with {@link Access#guard}. */
public interface Mountable {
  void mount(Router router, Access access);
}
