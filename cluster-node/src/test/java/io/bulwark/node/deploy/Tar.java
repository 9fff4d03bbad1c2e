package io.bulwark.node.deploy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a plain tar stream (ustar, with the pax headers jib writes for its layers), enough for
 * ImageTarballIT to look inside an image without a Docker daemon or an archive library. A body is
 * handed over as a stream bounded to the entry, so that a layer can be read without copying it.
 */
final class Tar {
  private static final int BLOCK = 512;

  record Entry(String name, char type, long size) {}

  interface Visitor {
    void visit(Entry entry, InputStream body) throws IOException;
  }

  private Tar() {}

  static void read(InputStream in, Visitor visitor) throws IOException {
    byte[] header = new byte[BLOCK];
    String longName = null;
    while (in.readNBytes(header, 0, BLOCK) == BLOCK && !zeros(header)) {
      long size = octal(header, 124, 12);
      char type = (char) header[156];
      long padding = (BLOCK - size % BLOCK) % BLOCK;
      if (type == 'x' || type == 'L') {
        // A pax record set or a GNU long name: either may carry the next entry's full name.
        String data = new String(in.readNBytes((int) size), StandardCharsets.UTF_8);
        in.skipNBytes(padding);
        longName = type == 'L' ? data.replace("\0", "") : paxPath(data, longName);
        continue;
      }
      String name = longName != null ? longName : name(header);
      longName = null;
      var body = new Bounded(in, size);
      visitor.visit(new Entry(name, type, size), body);
      in.skipNBytes(body.remaining + padding);
    }
  }

  private static String name(byte[] header) {
    String name = text(header, 0, 100);
    boolean ustar = text(header, 257, 6).startsWith("ustar");
    String prefix = ustar ? text(header, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  /** Pax records are "LENGTH KEY=VALUE\n"; only the path matters here. */
  private static String paxPath(String records, String fallback) {
    for (String record : records.split("\n")) {
      int space = record.indexOf(' ');
      if (space > 0 && record.startsWith("path=", space + 1)) {
        return record.substring(space + 1 + "path=".length());
      }
    }
    return fallback;
  }

  private static String text(byte[] block, int offset, int length) {
    int end = offset;
    while (end < offset + length && block[end] != 0) {
      end++;
    }
    return new String(block, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] block, int offset, int length) {
    String digits = text(block, offset, length).trim();
    return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
  }

  private static boolean zeros(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** The entry's body: reads stop at its end, and closing it leaves the archive open. */
  private static final class Bounded extends FilterInputStream {
    private long remaining;

    Bounded(InputStream in, long size) {
      super(in);
      this.remaining = size;
    }

    @Override
    public int read() throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(Math.min(n, remaining));
      remaining -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), remaining);
    }

    @Override
    public void close() {}
  }
}
