package io.tether.pool.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServerStatusTest {
  @Test
  void theAgentLineForEachState() {
    ServerStatus s = new ServerStatus();
    assertEquals("up ready", s.agentReply());
    s.weightPercent(75);
    assertEquals("up ready 75%", s.agentReply());
    s.maxconn(30);
    assertEquals("up ready 75% maxconn:30", s.agentReply());
    assertEquals("drain", s.state(ServerStatus.State.DRAINING).agentReply());
    assertEquals("maint", s.state(ServerStatus.State.MAINTENANCE).agentReply());
    assertEquals("down", s.state(ServerStatus.State.DOWN).agentReply());
    assertThrows(IllegalArgumentException.class, () -> s.weightPercent(1001));
    assertThrows(IllegalArgumentException.class, () -> s.maxconn(-2));
  }

  @Test
  void theHealthStatusForEachState() {
    ServerStatus s = new ServerStatus();
    assertEquals(200, s.healthStatusCode(true));
    s.state(ServerStatus.State.DRAINING);
    assertEquals(404, s.healthStatusCode(true), "http-check disable-on-404");
    assertEquals(503, s.healthStatusCode(false));
    assertEquals(503, s.state(ServerStatus.State.MAINTENANCE).healthStatusCode(true));
    assertEquals(503, s.state(ServerStatus.State.DOWN).healthStatusCode(true));
  }

  @Test
  void haproxysStateHeaderSaysWhetherTheDrainWasSeen() {
    ServerStatus s = new ServerStatus();
    assertNull(s.balancerState());
    assertFalse(s.drainAcknowledged());
    s.balancerSaid("UP 2/3; name=be/app1; node=lb1; weight=1/2; scur=13/22; qcur=0");
    assertEquals("UP", s.balancerState());
    assertFalse(s.drainAcknowledged());
    s.balancerSaid("NOLB; name=be/app1; node=lb1; weight=1/2; scur=0/22; qcur=0");
    assertEquals("NOLB", s.balancerState());
    assertTrue(s.drainAcknowledged());
    s.balancerSaid("   ");
    assertEquals("NOLB", s.balancerState(), "an empty header changes nothing");
  }
}
