package io.bulwark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every secret the tests make or receive (platform keys, API keys, audit keys, passwords), so that
 * they can be looked for where they must never be: in error bodies (checked as the tests run) and
 * in any log line of the whole run (NoSecretInLogsIT, after the tests). The list is written to
 * {@code target/test-secrets/}, which is never committed.
 */
public final class TestSecrets {
  /** Shorter strings would match by accident; every generated secret is longer. */
  public static final int MIN_LENGTH = 12;

  private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();
  private static final Path FILE =
      Path.of("target", "test-secrets", "secrets-" + UUID.randomUUID() + ".txt");

  private TestSecrets() {}

  /** Remembers {@code secret} and returns it. */
  public static String remember(String secret) {
    if (secret != null && secret.length() >= MIN_LENGTH && KNOWN.add(secret)) {
      try {
        Files.createDirectories(FILE.getParent());
        Files.writeString(
            FILE,
            secret + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return secret;
  }

  /** The first secret this JVM knows that {@code text} contains, or null. */
  public static String foundIn(String text) {
    if (text == null) {
      return null;
    }
    for (String secret : KNOWN) {
      if (text.contains(secret)) {
        return secret;
      }
    }
    return null;
  }

  /** A secret shown without giving it away: its first characters and its length. */
  public static String redacted(String secret) {
    return secret.substring(0, Math.min(6, secret.length())) + "...(" + secret.length() + " chars)";
  }
}
