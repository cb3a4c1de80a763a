package io.tarmo.subject;

import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ahocorasick.trie.Emit;
import org.ahocorasick.trie.Trie;

/**
 * Finds any of a set of identifier values in free text, in every form the value can take there:
 * as stored (normalised), in any letter case, URL-encoded (an email in a query string), and a
 * phone number as people type it ({@code 0151 2345678}, {@code (0151) 234-5678},
 * {@code 0049-151-...}), by normalising every phone-like run of digits in the text with the
 * same rules as ingest. One pass over the text with an Aho-Corasick automaton, however many
 * values: what erasure needs to find a batch of people in raw landing lines, quarantine rows,
 * export files and the whole lake, and what an access request uses to find one person.
 *
 * <p>Serializable, so Spark tasks can carry it; the automaton is built again where it is used.
 * Its {@link #toString} shows counts only.
 */
public final class ValueMatcher implements Serializable {

  private static final long serialVersionUID = 1L;

  /** How many trailing digits of a phone number pre-select the runs worth normalising. */
  private static final int PHONE_TAIL = 7;

  /** Every searched form (lower-case), to the stored value it stands for. */
  private final Map<String, String> forms;
  /** E.164 numbers searched for, by their last {@link #PHONE_TAIL} digits. */
  private final Map<String, Set<String>> phonesByTail;
  private final String phoneRegion;
  private transient volatile Trie trie;

  private ValueMatcher(Map<String, String> forms, Map<String, Set<String>> phonesByTail, String phoneRegion) {
    this.forms = forms;
    this.phonesByTail = phonesByTail;
    this.phoneRegion = phoneRegion;
  }

  /**
   * A matcher for {@code values}: identifier values as stored, each with its type (phones in
   * E.164), plus any further spellings to search for as they are ({@code raw}, e.g. a request's value as
   * received). {@code phoneRegion} is ingest's default region for numbers without a country code.
   */
  public static ValueMatcher of(Collection<Value> values, String phoneRegion) {
    Map<String, String> forms = new HashMap<>();
    Map<String, Set<String>> phonesByTail = new HashMap<>();
    for (Value value : values) {
      String stored = value.value();
      if (stored == null || stored.isBlank()) {
        continue;
      }
      for (String form : forms(value)) {
        forms.putIfAbsent(form.toLowerCase(Locale.ROOT), stored);
      }
      if (value.type() == IdentifierType.PHONE && stored.length() > PHONE_TAIL) {
        phonesByTail.computeIfAbsent(stored.substring(stored.length() - PHONE_TAIL), tail -> new HashSet<>())
            .add(stored);
      }
    }
    return new ValueMatcher(Map.copyOf(forms), Map.copyOf(phonesByTail), phoneRegion);
  }

  /** The forms of one value searched for verbatim (before lower-casing). */
  private static List<String> forms(Value value) {
    List<String> forms = new ArrayList<>(List.of(value.value()));
    if (value.raw() != null && !value.raw().isBlank()) {
      forms.add(value.raw().strip());
    }
    String encoded = URLEncoder.encode(value.value(), StandardCharsets.UTF_8);
    if (!encoded.equals(value.value())) {
      forms.add(encoded);
    }
    if (value.type() == IdentifierType.PHONE && value.value().startsWith("+")) {
      forms.add(value.value().substring(1));
    }
    return forms;
  }

  /**
   * One value to look for.
   *
   * @param type its identifier type
   * @param value as stored (normalised)
   * @param raw another spelling to search for as it is, e.g. as a request gave it; may be null
   */
  public record Value(IdentifierType type, String value, String raw) implements Serializable {}

  /** Whether nothing is searched for. */
  public boolean isEmpty() {
    return forms.isEmpty();
  }

  /** Whether {@code text} holds any of the values in any form. */
  public boolean matches(String text) {
    return find(text).isPresent();
  }

  /** The stored value of the first of the values {@code text} holds; empty when none. */
  public Optional<String> find(String text) {
    Set<String> found = new LinkedHashSet<>();
    collect(text, found, true);
    return found.stream().findFirst();
  }

  /** Every searched value {@code text} holds (as stored), in the order first found; empty when none. */
  public Set<String> findAll(String text) {
    Set<String> found = new LinkedHashSet<>();
    collect(text, found, false);
    return found;
  }

  /** Adds the values {@code text} holds to {@code found}: only the first with {@code firstOnly}. */
  private void collect(String text, Set<String> found, boolean firstOnly) {
    if (text == null || text.isEmpty() || forms.isEmpty()) {
      return;
    }
    for (Emit emit : trie().parseText(text)) {
      if (standsAlone(text, emit.getStart(), emit.getEnd() + 1)) {
        found.add(forms.get(emit.getKeyword()));
        if (firstOnly) {
          return;
        }
      }
    }
    if (!phonesByTail.isEmpty()) {
      findPhones(text, found, firstOnly);
    }
  }

  /**
   * Whether {@code text[start, end)} is a whole value, not part of a longer one: {@code C00012} is
   * not in {@code C000123}, nor {@code anna@x.de} in {@code hanna@x.de} or {@code anna@x.dev}. A
   * full stop or hyphen after it ends it unless a letter or digit follows (the end of a sentence).
   */
  static boolean standsAlone(String text, int start, int end) {
    if (start > 0) {
      char before = text.charAt(start - 1);
      if (Character.isLetterOrDigit(before) || "_.-+".indexOf(before) >= 0) {
        return false;
      }
    }
    if (end < text.length()) {
      char after = text.charAt(end);
      if (Character.isLetterOrDigit(after) || after == '_' || after == '@') {
        return false;
      }
      if ((after == '.' || after == '-') && end + 1 < text.length()
          && Character.isLetterOrDigit(text.charAt(end + 1))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A phone number written with separators or nationally, found by normalising each phone-like run:
   * digits with the separators people type between them ({@code space ( ) . / -}), an optional
   * leading {@code +}. One pass over the text without a regular expression; only a run whose last
   * digits end one of the searched numbers is parsed.
   */
  private void findPhones(String text, Set<String> found, boolean firstOnly) {
    int length = text.length();
    int i = 0;
    while (i < length) {
      char c = text.charAt(i);
      if (!isDigit(c) && !((c == '+' || c == '(') && i + 1 < length && (isDigit(text.charAt(i + 1))
          || text.charAt(i + 1) == '('))) {
        i++;
        continue;
      }
      int start = i;
      int lastDigit = -1;
      int digits = 0;
      StringBuilder tail = new StringBuilder(PHONE_TAIL);
      int j = i;
      while (j < length && j - start < 32) {
        char d = text.charAt(j);
        if (isDigit(d)) {
          digits++;
          lastDigit = j;
          if (tail.length() == PHONE_TAIL) {
            tail.deleteCharAt(0);
          }
          tail.append(d);
        } else if (!(d == ' ' || d == '(' || d == ')' || d == '.' || d == '/' || d == '-' || (d == '+' && j == start))) {
          break;
        }
        j++;
      }
      if (digits >= PHONE_TAIL && lastDigit >= 0) {
        int end = lastDigit + 1;
        Set<String> candidates = phonesByTail.get(tail.toString());
        if (candidates != null && standsAlone(text, start, end)) {
          String e164 = Identifiers.normalizePhone(text.substring(start, end), phoneRegion);
          if (e164 != null && candidates.contains(e164)) {
            found.add(e164);
            if (firstOnly) {
              return;
            }
          }
        }
      }
      i = Math.max(j, i + 1);
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Trie trie() {
    if (trie == null) {
      trie = Trie.builder().ignoreCase().addKeywords(forms.keySet()).build();
    }
    return trie;
  }

  @Override
  public String toString() {
    return "ValueMatcher[" + forms.size() + " forms, " + phonesByTail.size() + " phone tails]";
  }
}
