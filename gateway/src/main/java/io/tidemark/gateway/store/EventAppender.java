package io.tidemark.gateway.store;

import io.vertx.core.Future;
import java.util.List;

/**
 * The one way a call's outcome enters the store. The returned future completes only once its
 * events and writes are durably committed, so a caller that answers after it lets its client
 * read them back at once. It fails with a {@link StoreRefusedData} when PostgreSQL refused this
 * request's own data, and with the store-unavailable failure when the database could not be
 * reached; another request's bad data never fails it.
 */
public interface EventAppender {
  Future<List<StoredEvent>> append(AppendRequest request);
}
