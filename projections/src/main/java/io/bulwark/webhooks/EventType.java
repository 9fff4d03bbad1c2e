package io.bulwark.webhooks;

import java.util.Arrays;
import java.util.Optional;

/** The event types an endpoint can subscribe to; {@link #wireName()} is what clients see. */
public enum EventType {
  ACCOUNT_CREATED("account.created"),
  TRANSFER_COMPLETED("transfer.completed"),
  TRANSFER_REJECTED("transfer.rejected");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<EventType> parse(String wireName) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(wireName)).findFirst();
  }
}
