package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.HealthCheck.Expect;
import io.tether.pool.HealthCheck.Expect.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * HAProxy's {@code http-check expect} as Tether reads and applies it: each kind, negation, the edges of
 * status ranges, and what is refused (with the pattern named).
 */
class HealthExpectTest {

  @Test
  void statusListsAndRangesIncludeBothEnds() {
    Expect e = Expect.parse("status 200,204,300-399");
    for (int ok : List.of(200, 204, 300, 350, 399)) {
      assertTrue(e.passes(ok, ""), String.valueOf(ok));
    }
    for (int no : List.of(199, 201, 203, 205, 299, 400, 500)) {
      assertFalse(e.passes(no, ""), String.valueOf(no));
    }
    assertTrue(Expect.DEFAULT.passes(200, "") && Expect.DEFAULT.passes(399, ""));
    assertFalse(Expect.DEFAULT.passes(400, "") || Expect.DEFAULT.passes(199, ""));
  }

  @Test
  void eachKindMatchesWhatItNamesAndNegationInvertsIt() {
    assertTrue(Expect.parse("rstatus ^2").passes(204, ""));
    assertFalse(Expect.parse("rstatus ^2").passes(304, ""));
    assertTrue(Expect.parse("string OK").passes(500, "all OK here"));
    assertFalse(Expect.parse("string OK").passes(200, "all ok here"), "case matters");
    assertTrue(Expect.parse("rstring ^UP$").passes(200, "UP"));
    assertFalse(Expect.parse("rstring ^UP$").passes(200, "UP\nmore"));
    assertFalse(Expect.parse("! string DOWN").passes(200, "service DOWN"));
    assertTrue(Expect.parse("! string DOWN").passes(200, "service up"));
    assertTrue(Expect.parse("!status 500").passes(200, ""));
    assertFalse(Expect.parse("! status 500").passes(500, ""));
  }

  @Test
  void onlyTheStringKindsReadTheBody() {
    assertFalse(Expect.parse("status 200").readsBody());
    assertFalse(Expect.parse("rstatus ^2").readsBody());
    assertTrue(Expect.parse("string OK").readsBody());
    assertTrue(Expect.parse("rstring OK").readsBody());
  }

  @Test
  void itIsWrittenBackAsHaproxyWritesIt() {
    assertEquals("status 200-399", Expect.DEFAULT.toString());
    assertEquals("! rstring ^DOWN", Expect.parse("!  rstring   ^DOWN").toString());
    assertEquals(new Expect(Kind.STRING, true, "DOWN"), Expect.parse("! string DOWN"));
  }

  @Test
  void badPatternsAreRefusedNamingThem() {
    for (String codes : List.of("99", "600", "2000", "20", "abc", "200-", "-200", "300-200", "200-300-400", "200,,204",
        "٢٠٠")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Expect.parse("status " + codes),
          codes);
      assertEquals("status codes '" + codes + "' (expected: codes 100-599 and ranges such as 200,204,300-399)",
          e.getMessage());
    }
    assertTrue(Expect.parse("status 100-599").passes(100, ""), "both ends of the code range are codes");
    assertTrue(Expect.parse("status 200-200").passes(200, ""), "a range of one");
    assertEquals("regular expression '(': Unclosed group",
        assertThrows(IllegalArgumentException.class, () -> Expect.parse("rstring (")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Expect.parse("rstatus ["));
    assertEquals("http-check expect STRING needs a pattern",
        assertThrows(IllegalArgumentException.class, () -> new Expect(Kind.STRING, false, "")).getMessage());
    assertEquals("'status' (expected: [!] status|rstatus|string|rstring <pattern>)",
        assertThrows(IllegalArgumentException.class, () -> Expect.parse("status")).getMessage());
    assertEquals("'header' (expected: status, rstatus, string or rstring)",
        assertThrows(IllegalArgumentException.class, () -> Expect.parse("header name")).getMessage());
    assertNull(Expect.parseOrNull("header name"));
    assertEquals(Expect.DEFAULT, Expect.parseOrNull("status 200-399"));
  }
}
