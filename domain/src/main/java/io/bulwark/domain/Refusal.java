package io.bulwark.domain;

/** Stable codes with which a transfer or one of its steps is refused. */
public final class Refusal {
  public static final String ACCOUNT_NOT_FOUND = "account_not_found";
  public static final String CURRENCY_MISMATCH = "currency_mismatch";
  public static final String SAME_ACCOUNT = "same_account";
  public static final String INSUFFICIENT_FUNDS = "insufficient_funds";
  public static final String AMOUNT_OUT_OF_RANGE = "amount_out_of_range";

  private Refusal() {}
}
