package io.bulwark.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;

/**
 * Loads and checks the key material of {@link NodeSettings.Tls} before anything starts (ADR 0018),
 * so that a missing file, a wrong password or a key Pekko cannot read stops the node with a message
 * naming the variable, never the password, instead of failing on the first connection.
 */
final class TlsMaterial {
  static final String HTTP_KEYSTORE = "BULWARK_HTTP_TLS_KEYSTORE";
  static final String HTTP_KEYSTORE_PASSWORD = "BULWARK_HTTP_TLS_KEYSTORE_PASSWORD";
  static final String CLUSTER_TLS = "BULWARK_CLUSTER_TLS";
  static final String CLUSTER_TLS_DIR = "BULWARK_CLUSTER_TLS_DIR";
  static final String DB_SSL_ROOT_CERT = "BULWARK_DB_SSL_ROOT_CERT";

  /** The files Artery's RotatingKeysSSLEngineProvider reads from the cluster TLS directory. */
  static final String KEY_FILE = "tls.key";

  static final String CERT_FILE = "tls.crt";
  static final String CA_FILE = "ca.crt";

  private TlsMaterial() {}

  /** The API's server context when HTTPS is on; checks the cluster's PEM files when that is on. */
  static Optional<SSLContext> check(NodeSettings.Tls tls) {
    tls.clusterDirectory().ifPresent(TlsMaterial::checkClusterDirectory);
    return tls.https().map(TlsMaterial::httpsContext);
  }

  /** A TLS server context holding the keystore's private key and certificate chain. */
  static SSLContext httpsContext(NodeSettings.Tls.Keystore keystore) {
    Path path = keystore.path();
    char[] password = keystore.password().toCharArray();
    KeyStore keys;
    try (InputStream in = Files.newInputStream(path)) {
      keys = KeyStore.getInstance("PKCS12");
      keys.load(in, password);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new StartupException(
            HTTP_KEYSTORE_PASSWORD + " does not open the keystore " + HTTP_KEYSTORE + "=" + path);
      }
      if (!Files.isReadable(path)) {
        throw new StartupException(
            HTTP_KEYSTORE + " names a file that cannot be read: " + path + " (" + e + ")");
      }
      throw new StartupException(
          HTTP_KEYSTORE + " is not a PKCS12 keystore: " + path + " (" + e.getMessage() + ")");
    } catch (GeneralSecurityException e) {
      throw new StartupException(
          HTTP_KEYSTORE + " cannot be loaded: " + path + " (" + e.getMessage() + ")");
    }
    try {
      boolean hasKey = false;
      for (String alias : Collections.list(keys.aliases())) {
        hasKey |= keys.isKeyEntry(alias);
      }
      if (!hasKey) {
        throw new StartupException(
            HTTP_KEYSTORE + " holds no private key with its certificate: " + path);
      }
      var managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      managers.init(keys, password);
      var context = SSLContext.getInstance("TLS");
      context.init(managers.getKeyManagers(), null, null);
      return context;
    } catch (UnrecoverableKeyException e) {
      throw new StartupException(
          HTTP_KEYSTORE_PASSWORD
              + " does not open the private key in "
              + HTTP_KEYSTORE
              + "="
              + path
              + " (its key password must be the keystore's)");
    } catch (GeneralSecurityException e) {
      throw new StartupException(
          HTTP_KEYSTORE + " cannot be used: " + path + " (" + e.getMessage() + ")");
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
  }

  /**
   * The directory of {@code tls.key} (RSA, PKCS#1 or unencrypted PKCS#8 PEM: what pekko-pki reads),
   * {@code tls.crt} and {@code ca.crt}; the certificate must be issued by that CA.
   */
  static void checkClusterDirectory(Path dir) {
    Path key = readable(dir.resolve(KEY_FILE));
    Path cert = readable(dir.resolve(CERT_FILE));
    Path ca = readable(dir.resolve(CA_FILE));
    try {
      DERPrivateKeyLoader.load(PEMDecoder.decode(Files.readString(key, StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new StartupException(
          CLUSTER_TLS_DIR
              + ": "
              + key
              + " is not an RSA private key in PEM (PKCS#1 or unencrypted PKCS#8): "
              + e.getClass().getSimpleName());
    }
    X509Certificate node = certificates(cert).get(0);
    X509Certificate authority = certificates(ca).get(0);
    try {
      node.verify(authority.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new StartupException(
          CLUSTER_TLS_DIR + ": " + cert + " is not issued by the CA in " + ca + " (" + e + ")");
    }
  }

  /** The certificates in a PEM file; a file without one stops the node, naming {@code name}. */
  static List<X509Certificate> certificates(Path file, String name) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
              .map(X509Certificate.class::cast)
              .toList();
      if (certs.isEmpty()) {
        throw new StartupException(name + ": " + file + " holds no PEM certificate");
      }
      return certs;
    } catch (IOException e) {
      throw new StartupException(
          name + " names a file that cannot be read: " + file + " (" + e + ")");
    } catch (GeneralSecurityException e) {
      throw new StartupException(
          name + ": " + file + " holds no readable certificate (" + e.getMessage() + ")");
    }
  }

  private static List<X509Certificate> certificates(Path file) {
    return certificates(file, CLUSTER_TLS_DIR);
  }

  private static Path readable(Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new StartupException(
          CLUSTER_TLS_DIR
              + " must hold readable files tls.key, tls.crt and ca.crt; cannot read "
              + file);
    }
    return file;
  }
}
