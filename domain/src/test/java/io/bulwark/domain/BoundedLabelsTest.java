package io.bulwark.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.domain.telemetry.BoundedLabels;
import org.junit.jupiter.api.Test;

class BoundedLabelsTest {
  @Test
  void theFirstValuesKeepTheirLabelAndLaterOnesAreOther() {
    var labels = new BoundedLabels(2);
    assertEquals("a", labels.label("a"));
    assertEquals("b", labels.label("b"));
    assertEquals(BoundedLabels.OTHER, labels.label("c"));
    assertEquals("a", labels.label("a"), "an admitted value keeps its label");
    assertEquals("none", labels.label(null));
  }
}
