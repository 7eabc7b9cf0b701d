package io.tether.pool;

/** What happens when a server comes (back) up, as HAProxy's {@code on-marked-up}. */
public enum OnMarkedUp {
  /** Nothing: sessions on other servers stay where they are. The default. */
  NONE,
  /**
   * Close the idle and leased connections to backup servers, so sessions that moved to a backup while
   * every active server was down come back (HAProxy's {@code shutdown-backup-sessions}).
   */
  SHUTDOWN_BACKUP_SESSIONS
}
