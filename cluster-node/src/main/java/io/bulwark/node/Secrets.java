package io.bulwark.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Reads a secret from {@code NAME} or from the file named by {@code NAME_FILE}; never logs it. */
final class Secrets {
  private final Map<String, String> env;

  Secrets(Map<String, String> env) {
    this.env = env;
  }

  Optional<String> read(String name) {
    String direct = env.get(name);
    if (direct != null && !direct.isBlank()) {
      return Optional.of(direct);
    }
    String file = env.get(name + "_FILE");
    if (file == null || file.isBlank()) {
      return Optional.empty();
    }
    try {
      String value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      if (value.isEmpty()) {
        throw new StartupException(name + "_FILE names an empty file: " + file);
      }
      return Optional.of(value);
    } catch (IOException e) {
      throw new StartupException(
          name + "_FILE cannot be read: " + file + " (" + e.getMessage() + ")");
    }
  }
}
