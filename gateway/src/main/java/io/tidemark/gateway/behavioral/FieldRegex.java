package io.tidemark.gateway.behavioral;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * A string field's {@code regex}, compiled once when its definition is parsed or loaded.
 *
 * <p>RE2 syntax, matched by RE2/J in time linear in the value: a user's pattern such as
 * {@code (.*a){12}}, which makes a backtracking engine run for seconds, cannot stall anyone.
 * RE2 has no backreferences and no lookaround. Its cost is the compiled program's size times
 * the value's length, so both are capped: the pattern's length and its program size. The size
 * is estimated from the text before compiling, because compiling {@code (a{1000}){1000}}
 * already takes a second and a million instructions; the compiled size is checked after.
 */
final class FieldRegex {

  static final int MAX_LENGTH = 1000;
  static final int MAX_PROGRAM_SIZE = 10_000;

  private final String source;
  /** Set once compiled; compiling twice in a race is harmless (same result). */
  private volatile Compiled compiled;

  /** @param unusable why a stored pattern cannot be used (written before these rules); null when it can */
  private record Compiled(Pattern pattern, String unusable) {}

  private FieldRegex(String source, Compiled compiled) {
    this.source = source;
    this.compiled = compiled;
  }

  /**
   * A new definition's pattern, compiled now; an {@link IllegalArgumentException} saying why
   * it is refused. Up to a few milliseconds per pattern: call it off the event loop.
   */
  static FieldRegex compile(String source) {
    return new FieldRegex(source, new Compiled(checkedPattern(source), null));
  }

  /**
   * A stored definition's pattern, compiled when first needed (reading a definition for the
   * API never compiles it; {@link DefinitionCache} compiles on a worker before caching). One
   * that these rules refuse (stored by an older gateway) does not break loading: every value of
   * its field is refused, naming why.
   */
  static FieldRegex stored(String source) {
    return new FieldRegex(source, null);
  }

  String source() {
    return source;
  }

  /** Compiles the pattern if it is not yet; returns whether it is usable. */
  boolean prepare() {
    return compiled().pattern() != null;
  }

  /** Instructions in the compiled program: matching costs up to this much per character of the value. */
  int programSize() {
    Pattern pattern = compiled().pattern();
    return pattern == null ? 0 : pattern.programSize();
  }

  /** Whether the whole value matches; linear in its length. May take milliseconds: not on the event loop. */
  boolean matches(String value) {
    Pattern pattern = compiled().pattern();
    return pattern != null && pattern.matcher(value).matches();
  }

  /** Why no value can match: the stored pattern is one this gateway refuses; empty for a usable pattern. */
  Optional<String> unusable() {
    return Optional.ofNullable(compiled().unusable());
  }

  private Compiled compiled() {
    Compiled known = compiled;
    if (known == null) {
      try {
        known = new Compiled(checkedPattern(source), null);
      } catch (IllegalArgumentException e) {
        known = new Compiled(null, e.getMessage());
      }
      compiled = known;
    }
    return known;
  }

  private static Pattern checkedPattern(String source) {
    if (source.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("is " + source.length() + " characters long; at most " + MAX_LENGTH
          + " are allowed");
    }
    if (estimatedSize(source) > MAX_PROGRAM_SIZE) {
      throw new IllegalArgumentException("is too complex (its repetitions expand beyond " + MAX_PROGRAM_SIZE
          + " instructions)");
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(source);
    } catch (PatternSyntaxException e) {
      String where = e.getPattern() == null || e.getPattern().isEmpty() ? "" : ": `" + e.getPattern() + "`";
      throw new IllegalArgumentException("is not a valid RE2 regular expression: " + e.getDescription() + where
          + " (RE2 has no backreferences or lookaround)");
    }
    if (pattern.programSize() > MAX_PROGRAM_SIZE) {
      throw new IllegalArgumentException("is too complex (" + pattern.programSize() + " instructions; at most "
          + MAX_PROGRAM_SIZE + ")");
    }
    return pattern;
  }

  /**
   * An upper bound of the compiled program's size, read from the text alone: every atom is an
   * instruction or two, a group adds two, an alternative one, and a counted repetition
   * {@code x{n,m}} copies {@code x} up to {@code m + 1} times, so nested repetitions multiply.
   * It over-counts (escapes, group flags) rather than under-counts; saturates past the cap.
   */
  static long estimatedSize(String p) {
    long cap = MAX_PROGRAM_SIZE + 1L;
    Deque<Sizes> open = new ArrayDeque<>();
    Sizes current = new Sizes();
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      switch (c) {
        case '(' -> {
          open.push(current);
          current = new Sizes();
        }
        case ')' -> {
          if (open.isEmpty()) {
            current.atom(1, cap); // unbalanced: RE2 refuses it when compiling
          } else {
            long group = current.total(cap) + 2;
            current = open.pop();
            current.atom(group, cap);
          }
        }
        case '|' -> current.alternative(cap);
        case '*', '+', '?' -> current.repeat(1, cap);
        case '{' -> {
          int end = p.indexOf('}', i);
          long max = end < 0 ? -1 : repeatMax(p.substring(i + 1, end));
          if (max < 0) {
            current.atom(1, cap); // not a repetition: a literal brace
          } else {
            current.repeat(max + 1, cap);
            i = end;
          }
        }
        case '[' -> {
          i = classEnd(p, i);
          current.atom(1, cap);
        }
        case '\\' -> {
          int end = escapeEnd(p, i);
          current.atom(p.startsWith("\\Q", i) ? end - i : 1, cap);
          i = end;
        }
        default -> current.atom(1, cap);
      }
      if (current.total(cap) >= cap) {
        return cap;
      }
    }
    while (!open.isEmpty()) { // unclosed: RE2 refuses it when compiling
      long group = current.total(cap) + 2;
      current = open.pop();
      current.atom(group, cap);
    }
    return Math.min(current.total(cap), cap);
  }

  /** The sizes of the group being read: finished alternatives, the current one, and its last atom. */
  private static final class Sizes {
    long alternatives;
    long branch;
    long last;

    void atom(long size, long cap) {
      last = Math.min(size, cap);
      branch = Math.min(branch + last, cap);
    }

    /** The last atom repeated up to {@code copies} times, with a split instruction per copy. */
    void repeat(long copies, long cap) {
      long repeated = Math.min((last + 1) * copies, cap); // both at most ~1e9: no overflow
      branch = Math.min(branch - last + repeated, cap);
      last = repeated;
    }

    void alternative(long cap) {
      alternatives = Math.min(alternatives + branch + 1, cap);
      branch = 0;
      last = 0;
    }

    long total(long cap) {
      return Math.min(alternatives + branch, cap);
    }
  }

  /** {@code n}, {@code n,} or {@code n,m} (the text between braces): the most copies; -1 if not a repetition. */
  private static long repeatMax(String body) {
    if (!body.matches("\\d{1,9}(,\\d{0,9})?")) {
      return -1;
    }
    int comma = body.indexOf(',');
    if (comma < 0) {
      return Long.parseLong(body);
    }
    long min = Long.parseLong(body.substring(0, comma));
    return comma == body.length() - 1 ? min + 1 : Math.max(min, Long.parseLong(body.substring(comma + 1)));
  }

  /** Index of the {@code ]} closing the class opened at {@code start} (a leading {@code ]} is literal). */
  private static int classEnd(String p, int start) {
    int i = start + 1;
    if (i < p.length() && p.charAt(i) == '^') {
      i++;
    }
    if (i < p.length() && p.charAt(i) == ']') {
      i++;
    }
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == ']') {
        return i;
      }
      if (c == '\\') {
        i = escapeEnd(p, i) + 1;
      } else if (c == '[' && p.startsWith("[:", i)) {
        int end = p.indexOf(":]", i + 2);
        i = end < 0 ? i + 1 : end + 2;
      } else {
        i++;
      }
    }
    return p.length() - 1;
  }

  /** Index of the last character of the escape starting at {@code start}: {@code \Q…\E}, {@code \p{…}}, {@code \x{…}} or one character. */
  private static int escapeEnd(String p, int start) {
    if (start + 1 >= p.length()) {
      return start;
    }
    char c = p.charAt(start + 1);
    if (c == 'Q') {
      int end = p.indexOf("\\E", start + 2);
      return end < 0 ? p.length() - 1 : end + 1;
    }
    if ((c == 'p' || c == 'P' || c == 'x') && start + 2 < p.length() && p.charAt(start + 2) == '{') {
      int end = p.indexOf('}', start + 2);
      return end < 0 ? p.length() - 1 : end;
    }
    return start + 1;
  }
}
