package io.tidemark.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.stream.StreamFilter;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Signed tokens, with the stream's filters as the scope they are bound to. */
class SignedTokensTest {

  private final SignedTokens tokens = new SignedTokens("a secret of this database......".getBytes());
  private final StreamFilter filter = new StreamFilter(UUID.randomUUID(),
      Optional.of(Instant.parse("2026-01-01T00:00:00Z")), Optional.empty(), Optional.of("policy.issued"));

  @Test
  void a_token_returns_the_position_it_was_issued_for() {
    assertEquals(0L, position(tokens.issue(filter.canonical(), 0), filter));
    assertEquals(Long.MAX_VALUE, position(tokens.issue(filter.canonical(), Long.MAX_VALUE), filter));
    assertEquals(4711L, position(tokens.issue(filter.canonical(), 4711), filter));
  }

  @Test
  void a_token_carries_several_values_in_order() {
    long[] values = tokens.open(tokens.issue("scope", 1_746_938_336_049L, 42L), "scope", 2, "cursor");
    assertEquals(1_746_938_336_049L, values[0]);
    assertEquals(42L, values[1]);
    // A token of one value is not a token of two.
    assertEquals(400, assertThrows(ApiException.class, () -> tokens.open(tokens.issue("scope", 1L), "scope", 2, "cursor")).status());
  }

  private long position(String token, StreamFilter filter) {
    return tokens.open(token, filter.canonical(), 1, "pagingToken")[0];
  }

  @Test
  void a_token_is_url_safe() {
    for (long p = 0; p < 2000; p += 7) {
      assertTrue(tokens.issue(filter.canonical(), p * 1_000_003).matches("[A-Za-z0-9_-]+"));
    }
  }

  @Test
  void every_single_byte_change_is_rejected() {
    byte[] raw = Base64.getUrlDecoder().decode(tokens.issue(filter.canonical(), 99));
    for (int i = 0; i < raw.length; i++) {
      byte[] forged = raw.clone();
      forged[i] ^= 0x01;
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(forged);
      ApiException e = assertThrows(ApiException.class, () -> tokens.open(token, filter.canonical(), 1, "pagingToken"));
      assertEquals(400, e.status());
      assertTrue(e.getMessage().startsWith("Invalid parameter 'pagingToken'"), e.getMessage());
    }
  }

  @Test
  void a_token_of_another_database_secret_is_rejected() {
    String foreign = new SignedTokens("another secret.................".getBytes()).issue(filter.canonical(), 5);
    assertEquals("Invalid parameter 'pagingToken': is not a token issued by this server",
        assertThrows(ApiException.class, () -> tokens.open(foreign, filter.canonical(), 1, "pagingToken")).getMessage());
  }

  @Test
  void a_token_is_bound_to_tenant_type_and_time_range() {
    String token = tokens.issue(filter.canonical(), 5);
    StreamFilter otherTenant = new StreamFilter(UUID.randomUUID(), filter.start(), filter.end(), filter.type());
    StreamFilter otherType = new StreamFilter(filter.tenant(), filter.start(), filter.end(), Optional.of("policy.expired"));
    StreamFilter noType = new StreamFilter(filter.tenant(), filter.start(), filter.end(), Optional.empty());
    StreamFilter otherEnd = new StreamFilter(filter.tenant(), filter.start(), Optional.of(Instant.now()), filter.type());
    for (StreamFilter other : new StreamFilter[] {otherTenant, otherType, noType, otherEnd}) {
      ApiException e = assertThrows(ApiException.class, () -> tokens.open(token, other.canonical(), 1, "pagingToken"));
      assertTrue(e.getMessage().contains("was issued for other filters"), e.getMessage());
    }
  }

  @Test
  void the_same_instant_spelled_differently_is_the_same_filter() {
    StreamFilter sameInstant = new StreamFilter(filter.tenant(),
        Optional.of(java.time.OffsetDateTime.parse("2026-01-01T02:00:00+02:00").toInstant()), filter.end(), filter.type());
    assertEquals(5L, position(tokens.issue(filter.canonical(), 5), sameInstant));
  }

  @Test
  void garbage_is_rejected_without_a_server_error() {
    for (String garbage : new String[] {"", "!!!", "AAAA", "a".repeat(500), "AQ"}) {
      assertEquals(400, assertThrows(ApiException.class, () -> tokens.open(garbage, filter.canonical(), 1, "pagingToken")).status());
    }
  }

  @Test
  void a_carrying_token_gives_back_its_scope_and_values() {
    String token = tokens.issueCarrying(filter.canonical(), 4711);
    SignedTokens.Carried alone = tokens.openCarrying(token, 1, "pagingToken", null);
    assertEquals(filter.canonical(), alone.scope());
    assertEquals(4711L, alone.values()[0]);
    assertEquals(Optional.of(filter), StreamFilter.parse(alone.scope()));
    assertEquals(4711L, tokens.openCarrying(token, 1, "pagingToken", filter.canonical()).values()[0]);
    ApiException other = assertThrows(ApiException.class, () -> tokens.openCarrying(token, 1, "pagingToken", "other"));
    assertTrue(other.getMessage().contains("other filters"), other.getMessage());
  }

  @Test
  void every_single_byte_change_of_a_carrying_token_is_rejected() {
    byte[] raw = Base64.getUrlDecoder().decode(tokens.issueCarrying(filter.canonical(), 99));
    for (int i = 0; i < raw.length; i++) {
      byte[] forged = raw.clone();
      forged[i] ^= 0x01;
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(forged);
      ApiException e = assertThrows(ApiException.class, () -> tokens.openCarrying(token, 1, "pagingToken", null));
      assertEquals(400, e.status());
    }
  }

  @Test
  void an_older_token_still_works_with_its_filters_but_not_alone() {
    String old = tokens.issue(filter.canonical(), 7);
    assertEquals(7L, tokens.openCarrying(old, 1, "pagingToken", filter.canonical()).values()[0]);
    assertEquals(400, assertThrows(ApiException.class, () -> tokens.openCarrying(old, 1, "pagingToken", null)).status());
  }

  @Test
  void filters_survive_the_round_trip_through_their_text() {
    StreamFilter tricky = new StreamFilter(UUID.randomUUID(), Optional.empty(),
        Optional.of(Instant.parse("9999-12-31T23:59:59.999Z")), Optional.of("a|b|3:c"));
    assertEquals(Optional.of(tricky), StreamFilter.parse(tricky.canonical()));
    StreamFilter none = new StreamFilter(UUID.randomUUID(), Optional.empty(), Optional.empty(), Optional.empty());
    assertEquals(Optional.of(none), StreamFilter.parse(none.canonical()));
    assertEquals(Optional.empty(), StreamFilter.parse("not|a|filter"));
  }
}
