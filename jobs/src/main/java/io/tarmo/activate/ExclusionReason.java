package io.tarmo.activate;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Why a member of an activated segment is not contacted on a channel, in the order the reasons are
 * tested: a member excluded for several reasons is recorded with the first one only.
 */
public enum ExclusionReason {
  /** An identifier of the customer, or the address, has a keyed hash in {@code suppression_list} (erased). */
  SUPPRESSED,
  /** {@code profiling} is denied or withdrawn as of the day (GDPR Art. 21). */
  PROFILING_OBJECTION,
  /** No {@code marketing} record for the channel is valid as of the day: absence of a record means no. */
  NO_CONSENT,
  /** The valid {@code marketing} record for the channel denies or withdraws it. */
  DENIED_OR_WITHDRAWN,
  /** The grant expired. */
  EXPIRED,
  /** The basis is {@code contract}, which allows service messages only, never marketing. */
  CONTRACT_BASIS,
  /** Legitimate interest, but not allowed for the channel by configuration, or ended by an earlier objection. */
  LEGITIMATE_INTEREST_NOT_ALLOWED,
  /** A sensitive segment (GDPR Art. 9) without an explicit {@code consent} basis. */
  SENSITIVE_WITHOUT_CONSENT,
  /** No valid address for the channel. */
  NO_ADDRESS;

  /** The name in {@code activation_exclusions.reason}, e.g. {@code no_consent}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Every reason's key, in the order they are tested. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(ExclusionReason::key).toList();
  }
}
