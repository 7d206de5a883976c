package io.tidemark.gateway.store;

import io.vertx.core.Future;
import java.util.List;

/**
 * The one way events enter the store. The returned future completes only once the events are
 * durably committed, so a caller that answers after it lets its client read them back at once.
 */
public interface EventAppender {
  Future<List<StoredEvent>> append(AppendRequest request);
}
