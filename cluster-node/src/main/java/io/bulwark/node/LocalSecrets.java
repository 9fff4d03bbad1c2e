package io.bulwark.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets of a local run (embedded database): the platform, audit and webhook keys, each
 * generated once into the data directory, readable by its owner only. Their values are never
 * logged, only the files' paths. With a real database both must be given (Environment).
 */
final class LocalSecrets {
  private static final Logger log = LoggerFactory.getLogger(LocalSecrets.class);

  private LocalSecrets() {}

  static Path platformKeyFile(Path dataDir) {
    return dataDir.resolve("platform-key");
  }

  static Path auditKeyFile(Path dataDir) {
    return dataDir.resolve("audit-key");
  }

  static Path webhookKeyFile(Path dataDir) {
    return dataDir.resolve("webhook-key");
  }

  static String webhookKey(Path dataDir) {
    return readOrCreate(webhookKeyFile(dataDir), "bww_", "webhook key");
  }

  static String platformKey(Path dataDir) {
    return readOrCreate(platformKeyFile(dataDir), "bwp_", "platform key");
  }

  static String auditKey(Path dataDir) {
    return readOrCreate(auditKeyFile(dataDir), "bwa_", "audit key");
  }

  private static String readOrCreate(Path file, String prefix, String what) {
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(file.getParent());
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String key = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
        log.info("Generated a {} for local use in {} (readable by its owner only)", what, file);
      } else {
        log.info("Using the local {} in {}", what, file);
      }
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new StartupException(
          "Cannot create or read the local " + what + " " + file + ": " + e.getMessage());
    }
  }
}
