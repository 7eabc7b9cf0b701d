package io.tether.netty.testing;

import io.tether.pool.haproxy.DrainSequence;
import io.tether.pool.haproxy.ServerStatus;
import java.util.concurrent.CompletableFuture;

/** A backend a rolling-restart test can drain or stop, and start again on the same ports. */
public interface Restartable extends AutoCloseable {
  /** Starts a backend named {@code name} on {@code host}:{@code port}, its agent on {@code agentPort}. */
  @FunctionalInterface
  interface Factory {
    Restartable start(String name, String host, int port, int agentPort);
  }

  String name();

  ServerStatus status();

  /** {@return requests its application answered} */
  int served();

  /** {@return exceptions that reached its application's handler} */
  int appExceptions();

  /** {@return the first exceptions that reached its application's handler, for the report} */
  java.util.List<String> appExceptionSample();

  int port();

  int agentPort();

  CompletableFuture<DrainSequence.Report> drain();

  /** Stops at once, without a drain: listener and connections closed. */
  void stopNow();

  @Override
  void close();
}
