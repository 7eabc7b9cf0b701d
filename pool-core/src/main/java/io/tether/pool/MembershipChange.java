package io.tether.pool;

import java.util.List;

/**
 * What {@link ConnectionPool#updateServers} changed, by server name.
 *
 * @param added servers that joined the pool
 * @param removed servers that started leaving it (they finish when their last connection closes)
 * @param reweighted servers whose weight changed
 */
public record MembershipChange(List<String> added, List<String> removed, List<String> reweighted) {
  /**
   * Copies the lists.
   *
   * @param added servers that joined the pool
   * @param removed servers that started leaving it
   * @param reweighted servers whose weight changed
   */
  public MembershipChange {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    reweighted = List.copyOf(reweighted);
  }

  /** {@return whether nothing changed} */
  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && reweighted.isEmpty();
  }
}
