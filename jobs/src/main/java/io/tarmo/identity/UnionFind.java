package io.tarmo.identity;

import java.util.Arrays;

/**
 * Connected components in memory, single-threaded: union by size with path halving over long
 * ids. Ids are mapped to dense ints by an open-addressing hash table, so ten million edges need
 * no boxing. Each component is labelled by its minimum id, the same label
 * {@link LargeStarSmallStar} gives. The benchmark's floor and the tests' oracle.
 */
public final class UnionFind {

  private static final long EMPTY = Long.MIN_VALUE;
  private static final float MAX_LOAD = 0.5f;

  private long[] keys;
  private int[] slots;
  private long[] ids;
  private int[] parent;
  private int[] size;
  private long[] minimum;
  private int nodes;
  private int components;

  /** An empty structure sized for about {@code expectedNodes} distinct ids (it grows as needed). */
  public UnionFind(int expectedNodes) {
    int capacity = Math.max(16, expectedNodes);
    int tableSize = Integer.highestOneBit((int) Math.min(1 << 30, (long) (capacity / MAX_LOAD))) << 1;
    keys = new long[tableSize];
    Arrays.fill(keys, EMPTY);
    slots = new int[tableSize];
    ids = new long[capacity];
    parent = new int[capacity];
    size = new int[capacity];
    minimum = new long[capacity];
  }

  /** The components of the undirected graph with edges {@code src[i] -- dst[i]}. */
  public static UnionFind of(long[] src, long[] dst) {
    if (src.length != dst.length) {
      throw new IllegalArgumentException("src and dst differ in length: " + src.length + " vs " + dst.length);
    }
    UnionFind unionFind = new UnionFind(src.length);
    for (int i = 0; i < src.length; i++) {
      unionFind.union(src[i], dst[i]);
    }
    return unionFind;
  }

  /** Joins the components of {@code a} and {@code b}, adding either id if it is new. */
  public void union(long a, long b) {
    int rootA = root(index(a));
    int rootB = root(index(b));
    if (rootA == rootB) {
      return;
    }
    if (size[rootA] < size[rootB]) {
      int swap = rootA;
      rootA = rootB;
      rootB = swap;
    }
    parent[rootB] = rootA;
    size[rootA] += size[rootB];
    minimum[rootA] = Math.min(minimum[rootA], minimum[rootB]);
    components--;
  }

  /** Adds {@code id} as a component of its own if it is new. */
  public void add(long id) {
    index(id);
  }

  /** The minimum id of the component of {@code id}; throws if {@code id} was never added. */
  public long componentOf(long id) {
    int slot = find(id);
    if (slot < 0) {
      throw new IllegalArgumentException("Unknown node: " + id);
    }
    return minimum[root(slots[slot])];
  }

  /** Whether {@code id} is the only node of its component; throws if {@code id} was never added. */
  public boolean isAlone(long id) {
    int slot = find(id);
    if (slot < 0) {
      throw new IllegalArgumentException("Unknown node: " + id);
    }
    return size[root(slots[slot])] == 1;
  }

  /** Whether {@code id} was added. */
  public boolean contains(long id) {
    return find(id) >= 0;
  }

  public int nodeCount() {
    return nodes;
  }

  public int componentCount() {
    return components;
  }

  /** The distinct ids, in the order they were first seen. */
  public long[] nodes() {
    return Arrays.copyOf(ids, nodes);
  }

  private int root(int node) {
    int current = node;
    while (parent[current] != current) {
      parent[current] = parent[parent[current]];
      current = parent[current];
    }
    return current;
  }

  private int find(long id) {
    if (id == EMPTY) {
      return -1;
    }
    int mask = keys.length - 1;
    int slot = mix(id) & mask;
    while (keys[slot] != EMPTY) {
      if (keys[slot] == id) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  private int index(long id) {
    if (id == EMPTY) {
      throw new IllegalArgumentException("Long.MIN_VALUE is reserved and cannot be a node id");
    }
    int mask = keys.length - 1;
    int slot = mix(id) & mask;
    while (keys[slot] != EMPTY) {
      if (keys[slot] == id) {
        return slots[slot];
      }
      slot = (slot + 1) & mask;
    }
    int node = nodes++;
    if (node == ids.length) {
      int capacity = ids.length * 2;
      ids = Arrays.copyOf(ids, capacity);
      parent = Arrays.copyOf(parent, capacity);
      size = Arrays.copyOf(size, capacity);
      minimum = Arrays.copyOf(minimum, capacity);
    }
    keys[slot] = id;
    slots[slot] = node;
    ids[node] = id;
    parent[node] = node;
    size[node] = 1;
    minimum[node] = id;
    components++;
    if (nodes > keys.length * MAX_LOAD) {
      rehash();
    }
    return node;
  }

  private void rehash() {
    long[] oldKeys = keys;
    int[] oldSlots = slots;
    keys = new long[oldKeys.length * 2];
    Arrays.fill(keys, EMPTY);
    slots = new int[keys.length];
    int mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != EMPTY) {
        int slot = mix(oldKeys[i]) & mask;
        while (keys[slot] != EMPTY) {
          slot = (slot + 1) & mask;
        }
        keys[slot] = oldKeys[i];
        slots[slot] = oldSlots[i];
      }
    }
  }

  private static int mix(long id) {
    long h = id * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
