package io.bulwark.readmodel;

import io.bulwark.domain.Ids;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Base64;

/**
 * Opaque keyset cursors: base64url of a version byte, a list kind byte and the key of the last row
 * served. The kind keeps a cursor of one list from being replayed on another; the version lets the
 * format change without misreading old cursors.
 */
final class Cursor {
  private static final byte VERSION = 1;
  private static final byte ACCOUNTS = 'a';
  private static final byte TRANSFERS = 't';
  private static final byte ENTRIES = 'e';
  private static final int MAX_LENGTH = 512;

  record TransferKey(Instant createdAt, String transferId) {}

  private Cursor() {}

  static String accounts(String accountId) {
    return encode(ACCOUNTS, out -> out.writeUTF(accountId));
  }

  static String transfers(Instant createdAt, String transferId) {
    return encode(
        TRANSFERS,
        out -> {
          out.writeLong(createdAt.getEpochSecond());
          out.writeInt(createdAt.getNano());
          out.writeUTF(transferId);
        });
  }

  static String entries(long entrySeq) {
    return encode(ENTRIES, out -> out.writeLong(entrySeq));
  }

  static String decodeAccounts(String cursor) {
    try (var in = open(cursor, ACCOUNTS)) {
      String accountId = in.readUTF();
      end(in);
      if (!Ids.isValidResourceId(accountId)) {
        throw invalid(null);
      }
      return accountId;
    } catch (IOException e) {
      throw invalid(e);
    }
  }

  static TransferKey decodeTransfers(String cursor) {
    try (var in = open(cursor, TRANSFERS)) {
      long seconds = in.readLong();
      int nanos = in.readInt();
      String transferId = in.readUTF();
      end(in);
      if (nanos < 0 || nanos > 999_999_999 || !Ids.isValidIdempotencyKey(transferId)) {
        throw invalid(null);
      }
      return new TransferKey(Instant.ofEpochSecond(seconds, nanos), transferId);
    } catch (IOException | java.time.DateTimeException e) {
      throw invalid(e);
    }
  }

  static long decodeEntries(String cursor) {
    try (var in = open(cursor, ENTRIES)) {
      long entrySeq = in.readLong();
      end(in);
      return entrySeq;
    } catch (IOException e) {
      throw invalid(e);
    }
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static String encode(byte kind, Writer writer) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeByte(kind);
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
  }

  private static DataInputStream open(String cursor, byte kind) {
    if (cursor.length() > MAX_LENGTH) {
      throw invalid(null);
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(cursor);
    } catch (IllegalArgumentException e) {
      throw invalid(e);
    }
    if (bytes.length < 2 || bytes[0] != VERSION || bytes[1] != kind) {
      throw invalid(null);
    }
    return new DataInputStream(new ByteArrayInputStream(bytes, 2, bytes.length - 2));
  }

  private static void end(DataInputStream in) throws IOException {
    if (in.read() != -1) {
      throw invalid(null);
    }
  }

  private static InvalidCursorException invalid(Throwable cause) {
    return new InvalidCursorException("The cursor is malformed or belongs to another list", cause);
  }
}
