package io.bulwark.deadletters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * The repair a replay may ask for (ADR 0025): every string of an event with a character the read
 * models cannot hold, or that the edge refuses today (NUL and other control characters, unpaired
 * surrogates), gets U+FFFD in its place. The journal keeps the original; only what is written to
 * the read model changes. The event goes through the same Jackson mapper that stores events, so
 * every string field of every event type is covered without naming them.
 */
final class TextRepair {
  static final char REPLACEMENT = '\uFFFD';

  private final ObjectMapper mapper;

  TextRepair(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  static TextRepair of(ActorSystem<?> system) {
    return new TextRepair(
        JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty()));
  }

  /** {@code event} with its strings repaired; the same instance when none needed it. */
  Object repair(Object event) throws Exception {
    JsonNode tree = mapper.valueToTree(event);
    if (!repairTree(tree)) {
      return event;
    }
    return mapper.treeToValue(tree, event.getClass());
  }

  private static boolean repairTree(JsonNode node) {
    boolean changed = false;
    if (node instanceof ObjectNode object) {
      for (String name : fieldNames(object)) {
        changed |= repairChild(object.get(name), fixed -> object.set(name, fixed));
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        int index = i;
        changed |= repairChild(array.get(i), fixed -> array.set(index, fixed));
      }
    }
    return changed;
  }

  /** Repairs a text child through {@code replace}, or descends into a container child. */
  private static boolean repairChild(JsonNode child, Consumer<TextNode> replace) {
    if (!child.isTextual()) {
      return repairTree(child);
    }
    String fixed = repair(child.textValue());
    if (fixed.equals(child.textValue())) {
      return false;
    }
    replace.accept(TextNode.valueOf(fixed));
    return true;
  }

  private static List<String> fieldNames(ObjectNode object) {
    var names = new ArrayList<String>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** {@code text} with each control character and unpaired surrogate replaced by U+FFFD. */
  static String repair(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean bad;
      if (Character.isHighSurrogate(c)) {
        bad = i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        if (!bad) {
          if (out != null) {
            out.append(c).append(text.charAt(i + 1));
          }
          i++;
          continue;
        }
      } else {
        bad = Character.isLowSurrogate(c) || Character.isISOControl(c);
      }
      if (bad && out == null) {
        out = new StringBuilder(text.length()).append(text, 0, i);
      }
      if (out != null) {
        out.append(bad ? REPLACEMENT : c);
      }
    }
    return out == null ? text : out.toString();
  }
}
