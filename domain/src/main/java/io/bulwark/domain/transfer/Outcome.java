package io.bulwark.domain.transfer;

import io.bulwark.domain.JsonSerializable;

/**
 * The answer to a {@link Transfer.Start}. {@code replayed} is true when the request repeated one
 * already made with the same key; {@code transfer} is null only for {@link Kind#KEY_REUSED}.
 */
public record Outcome(Kind kind, TransferView transfer, boolean replayed)
    implements JsonSerializable {

  public enum Kind {
    COMPLETED,
    REJECTED,
    PENDING,
    KEY_REUSED
  }
}
