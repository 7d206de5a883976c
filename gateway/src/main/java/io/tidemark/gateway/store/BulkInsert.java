package io.tidemark.gateway.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.lang.reflect.Array;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * An INSERT whose rows, however many a group commit gathers, go to PostgreSQL as one statement:
 * one array parameter per column, unnested ({@code INSERT … SELECT * FROM unnest($1::uuid[], …)}).
 *
 * <p>Why: the appender's transaction is the stream's one serial section (a tenant's head row is
 * locked until it commits), so its cost in the one backend running it bounds the write rate.
 * Inserting N rows as N executions of a prepared statement pays the executor's start-up N times;
 * one execution over arrays pays it once.
 */
public record BulkInsert(String table, List<Column> columns, String sql) {

  /** A column and its PostgreSQL type, one of {@link #JAVA_TYPES}. */
  public record Column(String name, String type) {
    public Column {
      if (!JAVA_TYPES.containsKey(type)) {
        throw new IllegalArgumentException("no array mapping for column type " + type);
      }
    }
  }

  /** The Java class the pg client encodes each PostgreSQL type's array from. */
  private static final Map<String, Class<?>> JAVA_TYPES = Map.of(
      "uuid", UUID.class, "int4", Integer.class, "int8", Long.class, "text", String.class,
      "bool", Boolean.class, "timestamptz", OffsetDateTime.class, "jsonb", JsonObject.class);

  public BulkInsert {
    columns = List.copyOf(columns);
  }

  /** {@code new BulkInsert("event", "tenant_locator uuid", "position int8", …)}: columns as "name type". */
  public static BulkInsert into(String table, String... columns) {
    List<Column> parsed = java.util.Arrays.stream(columns).map(c -> {
      String[] parts = c.trim().split("\\s+");
      return new Column(parts[0], parts[1]);
    }).toList();
    String sql = "INSERT INTO " + table + " (" + parsed.stream().map(Column::name).collect(Collectors.joining(", ")) + ")"
        + " SELECT * FROM unnest(" + IntStream.range(0, parsed.size())
            .mapToObj(i -> "$" + (i + 1) + "::" + parsed.get(i).type() + "[]").collect(Collectors.joining(", ")) + ")";
    return new BulkInsert(table, parsed, sql);
  }

  /** A write of one row, which the appender merges with the batch's other rows of this insert. */
  public StoreWrite row(Tuple values) {
    if (values.size() != columns.size()) {
      throw new IllegalArgumentException(table + ": " + columns.size() + " columns, " + values.size() + " values");
    }
    return new StoreWrite(sql, values, this);
  }

  /** The rows as this statement's parameters: one typed array per column. */
  Tuple arrays(List<Tuple> rows) {
    Tuple params = Tuple.tuple();
    for (int c = 0; c < columns.size(); c++) {
      Object array = Array.newInstance(JAVA_TYPES.get(columns.get(c).type()), rows.size());
      for (int r = 0; r < rows.size(); r++) {
        Array.set(array, r, rows.get(r).getValue(c));
      }
      params.addValue(array);
    }
    return params;
  }
}
