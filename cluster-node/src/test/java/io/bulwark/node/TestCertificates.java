package io.bulwark.node;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates generated per test run with the JDK's keytool (as {@link FakeKubernetesApi} does),
 * never committed: a self-signed server keystore for HTTPS, and small CAs issuing RSA certificates
 * in the PEM layout cert-manager writes ({@code tls.key}, {@code tls.crt}, {@code ca.crt}), for
 * Artery and PostgreSQL. Valid two days; names and addresses are loopback only.
 */
final class TestCertificates {
  private TestCertificates() {}

  /** A PKCS12 keystore with one self-signed key pair, and its certificate as PEM. */
  record Keystore(Path keystore, String password, Path certificate) {
    /** A client context that trusts this certificate only. */
    SSLContext clientContext() throws Exception {
      return trusting(certificate);
    }
  }

  /** A self-signed server certificate for 127.0.0.1 (and localhost) in a fresh PKCS12 file. */
  static Keystore selfSigned(Path dir, String commonName) throws Exception {
    Files.createDirectories(dir);
    String password = randomSecret();
    Path keystore = fresh(dir.resolve(commonName + ".p12"));
    keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + commonName,
        "-ext",
        "san=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        password);
    Path pem = fresh(dir.resolve(commonName + ".crt"));
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "server",
        "-keystore",
        keystore.toString(),
        "-storepass",
        password,
        "-file",
        pem.toString());
    return new Keystore(keystore, password, pem);
  }

  /** A root CA whose key stays in its own keystore; {@link #issue} signs with it. */
  static final class Authority {
    final Path dir;
    final Path keystore;
    final Path certificate;
    private final String password = randomSecret();

    Authority(Path dir, String name) throws Exception {
      this.dir = Files.createDirectories(dir);
      this.keystore = fresh(dir.resolve(name + "-ca.p12"));
      keytool(
          "-genkeypair",
          "-alias",
          "ca",
          "-keyalg",
          "RSA",
          "-keysize",
          "2048",
          "-dname",
          "CN=" + name + " test CA",
          "-ext",
          "bc:c",
          "-validity",
          "2",
          "-storetype",
          "PKCS12",
          "-keystore",
          keystore.toString(),
          "-storepass",
          password);
      this.certificate = fresh(dir.resolve(name + "-ca.crt"));
      keytool(
          "-exportcert",
          "-rfc",
          "-alias",
          "ca",
          "-keystore",
          keystore.toString(),
          "-storepass",
          password,
          "-file",
          certificate.toString());
    }

    /**
     * A directory {@code name} with an RSA key (unencrypted PKCS#8 PEM, owner-only), its
     * certificate issued by this CA with no subject alternative name, and this CA's certificate.
     * Artery checks no host name; its peers must share a subject name, here the common name.
     */
    Path issue(String name, String commonName) throws Exception {
      return issue(name, commonName, null);
    }

    /** {@link #issue(String, String)} for a server that clients reach as 127.0.0.1 or localhost. */
    Path issueForLoopback(String name, String commonName) throws Exception {
      return issue(name, commonName, "san=ip:127.0.0.1,dns:localhost");
    }

    private Path issue(String name, String commonName, String san) throws Exception {
      Path out = Files.createDirectories(dir.resolve(name));
      Path leaf = fresh(out.resolve("leaf.p12"));
      String leafPassword = randomSecret();
      keytool(
          "-genkeypair",
          "-alias",
          "leaf",
          "-keyalg",
          "RSA",
          "-keysize",
          "2048",
          "-dname",
          "CN=" + commonName,
          "-validity",
          "2",
          "-storetype",
          "PKCS12",
          "-keystore",
          leaf.toString(),
          "-storepass",
          leafPassword);
      Path csr = fresh(out.resolve("leaf.csr"));
      keytool(
          "-certreq",
          "-alias",
          "leaf",
          "-keystore",
          leaf.toString(),
          "-storepass",
          leafPassword,
          "-file",
          csr.toString());
      Path crt = fresh(out.resolve(TlsMaterial.CERT_FILE));
      List<String> gencert =
          new ArrayList<>(
              List.of(
                  "-gencert",
                  "-rfc",
                  "-alias",
                  "ca",
                  "-keystore",
                  keystore.toString(),
                  "-storepass",
                  password,
                  "-infile",
                  csr.toString(),
                  "-outfile",
                  crt.toString()));
      if (san != null) {
        gencert.addAll(List.of("-ext", san));
      }
      gencert.addAll(
          List.of(
              "-ext",
              "ku:c=digitalSignature,keyEncipherment",
              "-ext",
              "eku=serverAuth,clientAuth",
              "-validity",
              "2"));
      keytool(gencert.toArray(String[]::new));
      var keys = KeyStore.getInstance("PKCS12");
      try (var in = new FileInputStream(leaf.toFile())) {
        keys.load(in, leafPassword.toCharArray());
      }
      byte[] pkcs8 = keys.getKey("leaf", leafPassword.toCharArray()).getEncoded();
      Path key = fresh(out.resolve(TlsMaterial.KEY_FILE));
      Files.createFile(
          key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          key,
          "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                  .encodeToString(pkcs8)
              + "\n-----END PRIVATE KEY-----\n");
      Files.copy(certificate, fresh(out.resolve(TlsMaterial.CA_FILE)));
      Files.delete(leaf);
      Files.delete(csr);
      return out;
    }
  }

  /** A TLS client context that trusts only the certificates in {@code pem}. */
  static SSLContext trusting(Path pem) throws Exception {
    var trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (var in = Files.newInputStream(pem)) {
      int i = 0;
      for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("trusted-" + i++, cert);
      }
    }
    var managers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    managers.init(trust);
    var context = SSLContext.getInstance("TLS");
    context.init(null, managers.getTrustManagers(), new SecureRandom());
    return context;
  }

  static String randomSecret() {
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    return io.bulwark.testing.TestSecrets.remember(
        Base64.getUrlEncoder().withoutPadding().encodeToString(random));
  }

  private static Path fresh(Path file) throws Exception {
    Files.deleteIfExists(file);
    return file;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.add("-noprompt");
    command.addAll(List.of(args));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
    }
  }
}
