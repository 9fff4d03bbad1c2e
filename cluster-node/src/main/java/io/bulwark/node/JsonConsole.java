package io.bulwark.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * With JSON logs every line on stdout must be JSON, but some libraries print to stdout directly
 * (pekko-projection-jdbc 1.0.0 prints "# stop ..." for each projection it stops). Lines that are
 * not JSON objects already are wrapped as a log event of logger {@code stdout}; the encoder's own
 * lines pass through untouched.
 */
final class JsonConsole extends OutputStream {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OutputStream out;
  private final String level;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  private JsonConsole(OutputStream out, String level) {
    this.out = out;
    this.level = level;
  }

  /** Replaces System.out and System.err; call before logging starts. */
  static void install() {
    var stdout = new FileOutputStream(FileDescriptor.out);
    System.setOut(new PrintStream(new JsonConsole(stdout, "INFO"), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new JsonConsole(stdout, "WARN"), true, StandardCharsets.UTF_8));
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      flushLine();
    } else {
      line.write(b);
    }
  }

  @Override
  public synchronized void write(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      write(bytes[i]);
    }
  }

  private void flushLine() {
    byte[] bytes = line.toByteArray();
    line.reset();
    try {
      if (bytes.length > 0 && bytes[0] == '{') {
        out.write(bytes);
      } else {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("@timestamp", Instant.now().toString());
        event.put("message", new String(bytes, StandardCharsets.UTF_8));
        event.put("logger_name", "stdout");
        event.put("level", level);
        out.write(JSON.writeValueAsBytes(event));
      }
      out.write('\n');
      out.flush();
    } catch (java.io.IOException e) {
      // stdout is gone (the process is being torn down): nothing else can be told either.
    }
  }
}
