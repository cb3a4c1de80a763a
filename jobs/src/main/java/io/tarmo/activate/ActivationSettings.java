package io.tarmo.activate;

import java.util.List;
import java.util.Set;

/**
 * {@code tarmo.activation}: which segments are activated on which channels, and on which channels
 * legitimate interest allows marketing without consent.
 *
 * @param legitimateInterestChannels channels where a {@code legitimate_interest} basis with no
 *     objection allows marketing (never for a sensitive segment)
 * @param audiences the segment × channel pairs to activate, in configuration order
 */
public record ActivationSettings(Set<Channel> legitimateInterestChannels, List<Audience> audiences) {

  /**
   * One configured audience: a segment and the channels it is activated on.
   *
   * @param segmentId the id of a definition in the segments file
   * @param channels the channels, each once, in configuration order
   */
  public record Audience(String segmentId, List<Channel> channels) {
    public Audience {
      channels = List.copyOf(channels);
    }
  }

  public ActivationSettings {
    legitimateInterestChannels = Set.copyOf(legitimateInterestChannels);
    audiences = List.copyOf(audiences);
  }

  /** Every segment × channel pair, in configuration order, each once. */
  public List<Pair> pairs() {
    return audiences.stream()
        .flatMap(audience -> audience.channels().stream().map(channel -> new Pair(audience.segmentId(), channel)))
        .distinct()
        .toList();
  }

  /** One segment activated on one channel. */
  public record Pair(String segmentId, Channel channel) {}
}
