package io.tether.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The connection state machine as a table: exactly these moves are legal (PooledConnection asserts each). */
class ConnectionStateTest {
  @Test
  void theLegalMovesAreExactlyTheDiagramsArrows() {
    List<String> legal = new ArrayList<>();
    for (int from = 0; from < ConnectionState.count(); from++) {
      for (int to = 0; to < ConnectionState.count(); to++) {
        if (ConnectionState.legal(from, to)) {
          legal.add(ConnectionState.name(from) + " -> " + ConnectionState.name(to));
        }
      }
    }
    // docs/architecture.md draws the same arrows.
    assertEquals(List.of(
        "new -> leased", "new -> closed",
        "idle -> leased", "idle -> leased-hot", "idle -> closing",
        "leased -> idle", "leased -> closing",
        "leased-hot -> idle", "leased-hot -> leased", "leased-hot -> closing",
        "closing -> closed"), legal);
  }

  @Test
  void nothingLeavesClosedAndNothingComesBackToNew() {
    for (int s = 0; s < ConnectionState.count(); s++) {
      assertEquals(false, ConnectionState.legal(ConnectionState.CLOSED, s), "closed -> " + ConnectionState.name(s));
      assertEquals(false, ConnectionState.legal(s, ConnectionState.NEW), ConnectionState.name(s) + " -> new");
      assertEquals(false, ConnectionState.legal(s, s), ConnectionState.name(s) + " -> itself");
    }
    assertEquals("state 9", ConnectionState.name(9));
  }
}
