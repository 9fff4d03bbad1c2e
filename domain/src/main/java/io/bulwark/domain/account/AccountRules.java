package io.bulwark.domain.account;

import io.bulwark.domain.Refusal;
import io.bulwark.domain.Times;
import io.bulwark.domain.account.Account.AccountOpened;
import io.bulwark.domain.account.Account.AlreadyExists;
import io.bulwark.domain.account.Account.Command;
import io.bulwark.domain.account.Account.Credit;
import io.bulwark.domain.account.Account.CreditForgotten;
import io.bulwark.domain.account.Account.Event;
import io.bulwark.domain.account.Account.Forget;
import io.bulwark.domain.account.Account.FundsCredited;
import io.bulwark.domain.account.Account.FundsDebited;
import io.bulwark.domain.account.Account.FundsReserved;
import io.bulwark.domain.account.Account.Get;
import io.bulwark.domain.account.Account.GetReply;
import io.bulwark.domain.account.Account.Open;
import io.bulwark.domain.account.Account.Opened;
import io.bulwark.domain.account.Account.Release;
import io.bulwark.domain.account.Account.ReservationReleased;
import io.bulwark.domain.account.Account.Reserve;
import io.bulwark.domain.account.Account.Settle;
import io.bulwark.domain.account.Account.State;
import io.bulwark.domain.account.Account.StepDone;
import io.bulwark.domain.account.Account.StepRefused;
import io.bulwark.domain.account.Account.StepReply;
import io.bulwark.domain.telemetry.Origin;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What an account decides, as pure functions of its state: a command becomes the events to persist
 * and the reply to send once they are committed. The saga's steps carry the transfer id, so a
 * repeated step changes nothing: the reservation map is the source's memory of a transfer, and
 * {@code credited} the destination's, kept until the saga says {@link Forget}. Decisions are made
 * one after another against the state that the ones before left (a reservation counts against the
 * balance the moment it is decided), whether they are written one per write or many at once.
 */
final class AccountRules {
  /** Money moved, at DEBUG: with the request's trace id when one reached the step. */
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Account.class);

  /**
   * The events of one command, and its reply as a function of the state right after them (sent only
   * when they are committed).
   */
  record Decision(List<Event> events, Function<State, Runnable> reply) {
    static <R> Decision answer(ActorRef<R> replyTo, R reply) {
      return new Decision(List.of(), s -> () -> replyTo.tell(reply));
    }

    static Decision step(Event event, ActorRef<StepReply> replyTo, String transferId) {
      return new Decision(List.of(event), s -> () -> replyTo.tell(new StepDone(transferId)));
    }
  }

  private final String tenantId;
  private final String accountId;

  AccountRules(String tenantId, String accountId) {
    this.tenantId = tenantId;
    this.accountId = accountId;
  }

  Decision decide(State state, Command command) {
    return state.isOpen() ? decideOpen(state, command) : decideUnopened(command);
  }

  private Decision decideUnopened(Command command) {
    if (command instanceof Open c) {
      return open(c);
    } else if (command instanceof Get c) {
      return Decision.answer(c.replyTo(), new GetReply(null));
    } else if (command instanceof Reserve c) {
      return refuse(c.replyTo(), c.transferId(), Refusal.ACCOUNT_NOT_FOUND);
    } else if (command instanceof Credit c) {
      return refuse(c.replyTo(), c.transferId(), Refusal.ACCOUNT_NOT_FOUND);
    } else if (command instanceof Settle c) {
      return refuse(c.replyTo(), c.transferId(), Refusal.ACCOUNT_NOT_FOUND);
    } else if (command instanceof Release c) {
      return done(c.replyTo(), c.transferId());
    } else if (command instanceof Forget c) {
      return done(c.replyTo(), c.transferId());
    }
    throw new IllegalArgumentException("not a decision: " + command);
  }

  private Decision decideOpen(State state, Command command) {
    if (command instanceof Open c) {
      return Decision.answer(c.replyTo(), new AlreadyExists(state.view(accountId)));
    } else if (command instanceof Get c) {
      return Decision.answer(c.replyTo(), new GetReply(state.view(accountId)));
    } else if (command instanceof Reserve c) {
      return reserve(state, c);
    } else if (command instanceof Credit c) {
      return credit(state, c);
    } else if (command instanceof Settle c) {
      return settle(state, c);
    } else if (command instanceof Release c) {
      return release(state, c);
    } else if (command instanceof Forget c) {
      return forget(state, c);
    }
    throw new IllegalArgumentException("not a decision: " + command);
  }

  private Decision open(Open cmd) {
    var origin = Origin.current();
    var event =
        new AccountOpened(
            tenantId,
            accountId,
            cmd.currency(),
            cmd.overdraftLimit(),
            cmd.at(),
            origin.requestId(),
            origin.traceId());
    return new Decision(
        List.of(event), s -> () -> cmd.replyTo().tell(new Opened(s.view(accountId))));
  }

  private Decision reserve(State state, Reserve cmd) {
    if (state.reservations().containsKey(cmd.transferId())) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    if (!state.currency().equals(cmd.currency())) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.CURRENCY_MISMATCH);
    }
    long reservedAfter;
    long availableAfter;
    try {
      reservedAfter = Math.addExact(state.reserved(), cmd.amount());
      availableAfter = Math.subtractExact(state.balance(), reservedAfter);
    } catch (ArithmeticException overflow) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.AMOUNT_OUT_OF_RANGE);
    }
    if (state.overdraftLimit() != null && availableAfter < -state.overdraftLimit()) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.INSUFFICIENT_FUNDS);
    }
    var event =
        new FundsReserved(
            tenantId, accountId, cmd.transferId(), cmd.amount(), reservedAfter, Times.now());
    return Decision.step(event, cmd.replyTo(), cmd.transferId());
  }

  private Decision credit(State state, Credit cmd) {
    if (state.credited().contains(cmd.transferId())) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    if (!state.currency().equals(cmd.currency())) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.CURRENCY_MISMATCH);
    }
    long balanceAfter;
    try {
      balanceAfter = Math.addExact(state.balance(), cmd.amount());
    } catch (ArithmeticException overflow) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.AMOUNT_OUT_OF_RANGE);
    }
    var event =
        new FundsCredited(
            tenantId,
            accountId,
            cmd.transferId(),
            cmd.amount(),
            balanceAfter,
            state.currency(),
            cmd.counterparty(),
            cmd.reference(),
            cmd.at());
    log.debug("Account {} FundsCredited for transfer {}", accountId, cmd.transferId());
    return Decision.step(event, cmd.replyTo(), cmd.transferId());
  }

  /**
   * Settle and Release for an unknown transfer are no-ops: the saga sends them only after a
   * successful reservation, so an unknown id means the step was already applied.
   */
  private Decision settle(State state, Settle cmd) {
    Long amount = state.reservations().get(cmd.transferId());
    if (amount == null) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    // Cannot overflow: the reservation check proved balance - reserved representable.
    long balanceAfter = state.balance() - amount;
    var event =
        new FundsDebited(
            tenantId,
            accountId,
            cmd.transferId(),
            amount,
            balanceAfter,
            state.reserved() - amount,
            state.currency(),
            cmd.counterparty(),
            cmd.reference(),
            cmd.at());
    log.debug("Account {} FundsDebited for transfer {}", accountId, cmd.transferId());
    return Decision.step(event, cmd.replyTo(), cmd.transferId());
  }

  private Decision release(State state, Release cmd) {
    Long amount = state.reservations().get(cmd.transferId());
    if (amount == null) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    var event =
        new ReservationReleased(
            tenantId, accountId, cmd.transferId(), amount, state.reserved() - amount, Times.now());
    return Decision.step(event, cmd.replyTo(), cmd.transferId());
  }

  private Decision forget(State state, Forget cmd) {
    if (!state.credited().contains(cmd.transferId())) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    return Decision.step(new CreditForgotten(cmd.transferId()), cmd.replyTo(), cmd.transferId());
  }

  private static Decision done(ActorRef<StepReply> replyTo, String transferId) {
    return Decision.answer(replyTo, new StepDone(transferId));
  }

  private static Decision refuse(ActorRef<StepReply> replyTo, String transferId, String reason) {
    return Decision.answer(replyTo, new StepRefused(transferId, reason));
  }

  /** The state after an event: used in recovery and after every decision of a batch alike. */
  static State apply(State s, Event event) {
    if (event instanceof AccountOpened e) {
      return new State(e.currency(), e.overdraftLimit(), 0, 0, Map.of(), Set.of(), e.at());
    } else if (event instanceof FundsReserved e) {
      return s.withReservation(e.transferId(), e.amount());
    } else if (event instanceof ReservationReleased e) {
      return s.withoutReservation(e.transferId(), s.balance());
    } else if (event instanceof FundsDebited e) {
      return s.withoutReservation(e.transferId(), e.balanceAfter());
    } else if (event instanceof FundsCredited e) {
      return s.withCredit(e.transferId(), e.balanceAfter());
    } else if (event instanceof CreditForgotten e) {
      return s.withoutCredit(e.transferId());
    }
    throw new IllegalArgumentException("not an account event: " + event);
  }
}
