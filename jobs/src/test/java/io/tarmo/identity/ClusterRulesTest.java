package io.tarmo.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.identity.ClusterRules.Link;
import io.tarmo.identity.ClusterRules.Node;
import io.tarmo.identity.ClusterRules.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClusterRulesTest {

  static final ClusterRules RULES = new ClusterRules(Map.of("email", 2, "anonymous_id", 3, "phone", 2,
      "loyalty_card_id", 1));

  static Node customer(long id) {
    return new Node(id, "customer_id", 0, 0);
  }

  static Node node(long id, String type, int rank, long lastSeen) {
    return new Node(id, type, rank, lastSeen);
  }

  static Map<Long, Long> components(List<Outcome> outcomes) {
    return outcomes.stream().filter(o -> o.rule() == null)
        .collect(Collectors.toMap(Outcome::node, Outcome::component));
  }

  @Test
  void aCookieSeenWithTwoCustomersFollowsTheMostRecentLogin() {
    List<Outcome> outcomes = RULES.resolve(
        List.of(customer(1), customer(2), node(10, "anonymous_id", 4, 0)),
        List.of(new Link(1, 10, 100), new Link(2, 10, 200)));
    Map<Long, Long> components = components(outcomes);
    assertThat(components.get(10L)).isEqualTo(components.get(2L)).isNotEqualTo(components.get(1L));
    assertThat(outcomes).filteredOn(o -> "shared_identifier".equals(o.rule())).singleElement()
        .satisfies(o -> assertThat(o.otherCustomer()).isEqualTo(1L));
  }

  @Test
  void identifiersLinkedOnlyThroughOthersFollowTheNearestCustomer() {
    // 1 - email 10 - cookie 11 - cookie 12 - email 13 - 2: the middle follows its nearer side.
    List<Outcome> outcomes = RULES.resolve(
        List.of(customer(1), customer(2), node(10, "email", 2, 5), node(11, "anonymous_id", 4, 5),
            node(12, "anonymous_id", 4, 5), node(13, "email", 2, 5), node(14, "anonymous_id", 4, 5)),
        List.of(new Link(1, 10, 5), new Link(10, 11, 5), new Link(11, 12, 5), new Link(12, 13, 5),
            new Link(13, 2, 5), new Link(12, 14, 9)));
    Map<Long, Long> components = components(outcomes);
    assertThat(components.get(1L)).isNotEqualTo(components.get(2L));
    assertThat(components.get(11L)).isEqualTo(components.get(1L));
    assertThat(components.get(12L)).isEqualTo(components.get(2L));
    assertThat(components.get(14L)).isEqualTo(components.get(2L));
    assertThat(outcomes).filteredOn(o -> "bridge_attached".equals(o.rule())).hasSize(3);
  }

  @Test
  void identifiersOverTheLimitAreCutOffAndTheMostRecentStay() {
    List<Outcome> outcomes = RULES.resolve(
        List.of(customer(1), node(10, "email", 2, 1), node(11, "email", 2, 3), node(12, "email", 2, 2)),
        List.of(new Link(1, 10, 1), new Link(1, 11, 3), new Link(1, 12, 2)));
    Map<Long, Long> components = components(outcomes);
    assertThat(components.get(11L)).isEqualTo(components.get(1L));
    assertThat(components.get(12L)).isEqualTo(components.get(1L));
    assertThat(components.get(10L)).isNotEqualTo(components.get(1L));
    assertThat(outcomes).filteredOn(o -> "over_limit".equals(o.rule())).singleElement()
        .satisfies(o -> assertThat(o.node()).isEqualTo(10L));
  }

  @Test
  void randomClustersNeverHoldTwoCustomersAndIgnoreInputOrder() {
    String[] types = {"customer_id", "loyalty_card_id", "email", "phone", "anonymous_id"};
    for (int seed = 0; seed < 500; seed++) {
      Random random = new Random(seed);
      int size = 2 + random.nextInt(25);
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        int rank = random.nextInt(types.length);
        nodes.add(new Node(i * 7919L - 50_000, types[rank], rank, random.nextInt(5)));
      }
      List<Link> links = new ArrayList<>();
      for (int i = 0; i < size * 2; i++) {
        links.add(new Link(nodes.get(random.nextInt(size)).id(), nodes.get(random.nextInt(size)).id(),
            random.nextInt(5)));
      }
      Map<Long, Long> components = components(RULES.resolve(nodes, links));
      Map<Long, Long> customersPerComponent = new HashMap<>();
      for (Node node : nodes) {
        if (node.rank() == 0) {
          customersPerComponent.merge(components.get(node.id()), 1L, Long::sum);
        }
      }
      assertThat(customersPerComponent.values()).as("seed " + seed).allMatch(n -> n == 1);

      List<Node> shuffledNodes = new ArrayList<>(nodes);
      List<Link> shuffledLinks = new ArrayList<>();
      for (Link link : links) {
        shuffledLinks.add(random.nextBoolean() ? link : new Link(link.b(), link.a(), link.lastSeen()));
      }
      Collections.shuffle(shuffledNodes, random);
      Collections.shuffle(shuffledLinks, random);
      assertThat(RULES.resolve(shuffledNodes, shuffledLinks)).as("seed " + seed)
          .containsExactlyInAnyOrderElementsOf(RULES.resolve(nodes, links));
    }
  }
}
