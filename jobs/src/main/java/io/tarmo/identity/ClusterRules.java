package io.tarmo.identity;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The identity rules for one contested cluster (a raw cluster with several customer_ids, or with
 * more identifiers of a type than one customer may have), in plain Java: a cluster is small and
 * resolved whole in one task. Deterministic: the same nodes and links give the same answer in any
 * order.
 *
 * <ol>
 *   <li>An identifier linked directly to customers belongs to the most recent link
 *       ({@code shared_identifier} when there were several; the family laptop).</li>
 *   <li>Identifiers linked to each other but not to a customer form groups. A group whose members
 *       point at one customer joins it. In a group that points at several, the others are reached
 *       breadth-first from the members that have a customer: each follows, at the fewest hops, its
 *       most trusted (priority), then most recent link ({@code bridge_attached}).</li>
 *   <li>Of each type, a customer keeps the most recently seen identifiers up to the limit; the rest
 *       are cut off ({@code over_limit}).</li>
 *   <li>Only links between identifiers given the same customer (or both none) are kept; their
 *       connected components are the result, labelled by their lowest node id.</li>
 * </ol>
 */
public final class ClusterRules implements Serializable {

  private static final long serialVersionUID = 1L;

  /** An identifier: node id, type name, priority rank (0 = customer_id) and last seen (any clock). */
  public record Node(long id, String type, int rank, long lastSeen) implements Serializable {
    boolean isCustomer() {
      return rank == 0;
    }
  }

  /** A link between two nodes, last seen at {@code lastSeen}. */
  public record Link(long a, long b, long lastSeen) implements Serializable {}

  /**
   * One node's outcome: its component; and when a rule decided about it, the rule, the customer
   * node it was kept from (or null) and a readable detail without personal data.
   */
  public record Outcome(long node, long component, String rule, Long otherCustomer, String detail) {}

  private final Map<String, Integer> limits;

  /** {@code limits}: identifier type name → most identifiers of that type per customer. */
  public ClusterRules(Map<String, Integer> limits) {
    this.limits = Map.copyOf(limits);
  }

  public List<Outcome> resolve(List<Node> nodeList, List<Link> linkList) {
    Map<Long, Node> nodes = new TreeMap<>();
    nodeList.forEach(node -> nodes.put(node.id(), node));
    Map<Long, Map<Long, Long>> adjacent = new HashMap<>();
    for (Link link : linkList) {
      if (link.a() != link.b() && nodes.containsKey(link.a()) && nodes.containsKey(link.b())) {
        adjacent.computeIfAbsent(link.a(), k -> new HashMap<>()).merge(link.b(), link.lastSeen(), Math::max);
        adjacent.computeIfAbsent(link.b(), k -> new HashMap<>()).merge(link.a(), link.lastSeen(), Math::max);
      }
    }
    Map<Long, Long> owner = new HashMap<>();
    List<Outcome> decisions = new ArrayList<>();

    // 1. Direct links to customers: the most recent wins.
    for (Node node : nodes.values()) {
      if (node.isCustomer()) {
        owner.put(node.id(), node.id());
        continue;
      }
      List<Map.Entry<Long, Long>> customers = neighbours(adjacent, node.id()).entrySet().stream()
          .filter(entry -> nodes.get(entry.getKey()).isCustomer())
          .sorted(Map.Entry.<Long, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .toList();
      if (!customers.isEmpty()) {
        owner.put(node.id(), customers.get(0).getKey());
        for (Map.Entry<Long, Long> other : customers.subList(1, customers.size())) {
          decisions.add(new Outcome(node.id(), 0, "shared_identifier", other.getKey(), String.format(Locale.ROOT,
              "linked directly to %d customers; the most recent link wins", customers.size())));
        }
      }
    }

    // 2. Groups of identifiers linked without a customer.
    UnionFind groups = new UnionFind(nodes.size());
    for (Node node : nodes.values()) {
      if (!node.isCustomer()) {
        groups.union(node.id(), node.id());
        for (long other : neighbours(adjacent, node.id()).keySet()) {
          if (!nodes.get(other).isCustomer()) {
            groups.union(node.id(), other);
          }
        }
      }
    }
    Map<Long, Set<Long>> groupOwners = new HashMap<>();
    for (Node node : nodes.values()) {
      if (!node.isCustomer() && owner.containsKey(node.id())) {
        groupOwners.computeIfAbsent(groups.componentOf(node.id()), k -> new HashSet<>()).add(owner.get(node.id()));
      }
    }
    List<Long> frontier = new ArrayList<>();
    for (Node node : nodes.values()) {
      if (node.isCustomer() || owner.containsKey(node.id())) {
        continue;
      }
      Set<Long> candidates = groupOwners.getOrDefault(groups.componentOf(node.id()), Set.of());
      if (candidates.size() == 1) {
        owner.put(node.id(), candidates.iterator().next());
      }
    }
    for (Node node : nodes.values()) {
      if (!node.isCustomer() && owner.containsKey(node.id())
          && groupOwners.getOrDefault(groups.componentOf(node.id()), Set.of()).size() > 1) {
        frontier.add(node.id());
      }
    }
    attachBreadthFirst(nodes, adjacent, owner, groups, groupOwners, frontier, decisions);

    // 3. Per-type limits per customer.
    Map<String, List<Node>> owned = new TreeMap<>();
    for (Node node : nodes.values()) {
      Long customer = owner.get(node.id());
      if (customer != null && !node.isCustomer() && limits.containsKey(node.type())) {
        owned.computeIfAbsent(customer + "/" + node.type(), k -> new ArrayList<>()).add(node);
      }
    }
    for (List<Node> list : owned.values()) {
      int limit = limits.get(list.get(0).type());
      if (list.size() > limit) {
        list.sort(Comparator.comparingLong(Node::lastSeen).reversed().thenComparingLong(Node::id));
        for (Node cut : list.subList(limit, list.size())) {
          decisions.add(new Outcome(cut.id(), 0, "over_limit", owner.remove(cut.id()), String.format(Locale.ROOT,
              "more than %d identifiers of its type for one customer; the most recently seen stay", limit)));
        }
      }
    }

    // 4. Links between identifiers of the same customer, or of none, are kept.
    UnionFind components = new UnionFind(nodes.size());
    for (Node node : nodes.values()) {
      components.union(node.id(), node.id());
      for (long other : neighbours(adjacent, node.id()).keySet()) {
        if (Objects.equals(owner.get(node.id()), owner.get(other))) {
          components.union(node.id(), other);
        }
      }
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (Node node : nodes.values()) {
      outcomes.add(new Outcome(node.id(), components.componentOf(node.id()), null, null, null));
    }
    for (Outcome decision : decisions) {
      outcomes.add(new Outcome(decision.node(), components.componentOf(decision.node()), decision.rule(),
          decision.otherCustomer(), decision.detail()));
    }
    return outcomes;
  }

  /**
   * In groups pointing at several customers, hands each identifier without a customer the
   * customer of its best neighbour one hop closer to a customer-linked member.
   */
  private static void attachBreadthFirst(Map<Long, Node> nodes, Map<Long, Map<Long, Long>> adjacent,
      Map<Long, Long> owner, UnionFind groups, Map<Long, Set<Long>> groupOwners, List<Long> frontier,
      List<Outcome> decisions) {
    int hops = 0;
    Deque<Long> level = new ArrayDeque<>(frontier);
    while (!level.isEmpty()) {
      hops++;
      Map<Long, long[]> best = new TreeMap<>();
      for (long from : level) {
        Node source = nodes.get(from);
        for (Map.Entry<Long, Long> edge : neighbours(adjacent, from).entrySet()) {
          long to = edge.getKey();
          if (nodes.get(to).isCustomer() || owner.containsKey(to)) {
            continue;
          }
          long[] candidate = {source.rank(), edge.getValue(), from};
          long[] current = best.get(to);
          if (current == null || better(candidate, current)) {
            best.put(to, candidate);
          }
        }
      }
      level.clear();
      for (Map.Entry<Long, long[]> chosen : best.entrySet()) {
        long node = chosen.getKey();
        owner.put(node, owner.get(chosen.getValue()[2]));
        level.add(node);
        decisions.add(new Outcome(node, 0, "bridge_attached", null, String.format(Locale.ROOT,
            "linked through other identifiers to %d customers; follows its most trusted, most recent link (%d hops)",
            groupOwners.get(groups.componentOf(node)).size(), hops)));
      }
    }
  }

  private static boolean better(long[] candidate, long[] current) {
    if (candidate[0] != current[0]) {
      return candidate[0] < current[0];
    }
    if (candidate[1] != current[1]) {
      return candidate[1] > current[1];
    }
    return candidate[2] < current[2];
  }

  private static Map<Long, Long> neighbours(Map<Long, Map<Long, Long>> adjacent, long node) {
    return adjacent.getOrDefault(node, Map.of());
  }
}
