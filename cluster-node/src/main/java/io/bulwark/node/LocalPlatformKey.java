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
 * The platform key of a local run (embedded database): generated once into the data directory,
 * readable by its owner only. Its value is never logged, only the file's path.
 */
final class LocalPlatformKey {
  private static final Logger log = LoggerFactory.getLogger(LocalPlatformKey.class);

  private LocalPlatformKey() {}

  static Path file(Path dataDir) {
    return dataDir.resolve("platform-key");
  }

  static String readOrCreate(Path dataDir) {
    Path file = file(dataDir);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(dataDir);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String key = "bwp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
        log.info("Generated a platform key for local use in {} (readable by its owner only)", file);
      } else {
        log.info("Using the local platform key in {}", file);
      }
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new StartupException(
          "Cannot create or read the local platform key " + file + ": " + e.getMessage());
    }
  }
}
