package io.tarmo.erasure;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.ErasureWork;
import io.tarmo.lake.Tables;
import io.tarmo.subject.IdentifierType;
import io.tarmo.subject.SubjectSet;
import io.tarmo.subject.ValueMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Who a request is about: the customer_keys its identifier belongs to in {@code identity_map}
 * (with every key merged into them, from {@code identity_merges}, and the keys of identifiers a
 * per-type limit cut off from them), and every identifier of those keys. An identifier that the graph also links to a customer outside the batch (a family
 * laptop's cookie, seen with both people) is marked shared: the subject's rows are found without
 * it, and the other customer keeps it. A subject the graph does not know (someone who appears only
 * in quarantine) is their requested identifier alone.
 */
public final class Subjects {

  private static final StructType IDENTIFIERS = new StructType()
      .add("request_id", DataTypes.StringType)
      .add("identifier_type", DataTypes.StringType)
      .add("identifier_value", DataTypes.StringType);

  private final DeltaStore store;

  public Subjects(DeltaStore store) {
    this.store = store;
  }

  /** Resolves every request of a batch in a few queries. */
  public List<ErasureWork.Subject> resolve(Collection<ErasureRequests.Request> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    List<Row> requested = requests.stream()
        .map(request -> RowFactory.create(request.requestId(), request.type().key(), request.value())).toList();
    Dataset<Row> map = store.read(Tables.IDENTITY_MAP)
        .select(col("identifier_type"), col("identifier_value"), col("customer_key"));
    Map<String, Set<Long>> keysByRequest = new HashMap<>();
    Dataset<Row> found = store.spark().createDataFrame(requested, IDENTIFIERS).as("r")
        .join(map.as("m"), col("r.identifier_type").equalTo(col("m.identifier_type"))
            .and(col("r.identifier_value").equalTo(col("m.identifier_value"))))
        .select(col("r.request_id"), col("m.customer_key"));
    for (Row row : found.collectAsList()) {
      keysByRequest.computeIfAbsent(row.getString(0), id -> new LinkedHashSet<>()).add(row.getLong(1));
    }
    // Keys merged into a subject's keys are the subject's too (older rows still carry them).
    Dataset<Row> merges = store.read(Tables.IDENTITY_MERGES).select(col("old_key"), col("new_key"));
    Set<Long> frontier = new HashSet<>();
    keysByRequest.values().forEach(frontier::addAll);
    Map<Long, Long> mergedInto = new HashMap<>();
    while (!frontier.isEmpty()) {
      Set<Long> next = new HashSet<>();
      for (Row row : merges.where(col("new_key").isin(frontier.toArray())).collectAsList()) {
        if (mergedInto.putIfAbsent(row.getLong(0), row.getLong(1)) == null) {
          next.add(row.getLong(0));
        }
      }
      frontier = next;
    }
    for (Set<Long> keys : keysByRequest.values()) {
      Set<Long> added = new HashSet<>();
      boolean grew = true;
      while (grew) {
        grew = false;
        for (Map.Entry<Long, Long> merge : mergedInto.entrySet()) {
          if ((keys.contains(merge.getValue()) || added.contains(merge.getValue())) && added.add(merge.getKey())) {
            grew = true;
          }
        }
      }
      keys.addAll(added);
    }
    // Identifiers a per-type limit cut off from a subject (an eleventh email) have keys of their own.
    Set<Long> subjectKeys = new HashSet<>();
    keysByRequest.values().forEach(subjectKeys::addAll);
    Map<Long, Set<Long>> cutOff = cutOff(subjectKeys, map);
    for (Set<Long> keys : keysByRequest.values()) {
      Set<Long> theirs = new HashSet<>();
      keys.forEach(key -> theirs.addAll(cutOff.getOrDefault(key, Set.of())));
      keys.addAll(theirs);
    }
    Set<Long> batchKeys = new HashSet<>();
    keysByRequest.values().forEach(batchKeys::addAll);

    // Every identifier of the batch's keys, and the raw clusters they are in.
    Map<Long, List<String[]>> identifiersByKey = new HashMap<>();
    Map<Long, Set<Long>> clustersByKey = new HashMap<>();
    if (!batchKeys.isEmpty()) {
      for (Row row : store.read(Tables.IDENTITY_MAP).where(col("customer_key").isin(batchKeys.toArray()))
          .select(col("identifier_type"), col("identifier_value"), col("customer_key"), col("cluster_id"))
          .collectAsList()) {
        identifiersByKey.computeIfAbsent(row.getLong(2), key -> new ArrayList<>())
            .add(new String[] {row.getString(0), row.getString(1)});
        clustersByKey.computeIfAbsent(row.getLong(2), key -> new HashSet<>()).add(row.getLong(3));
      }
    }
    Map<String, Long> shared = shared(identifiersByKey, batchKeys);
    Map<Long, Set<Long>> ownersClusters = clusters(Set.copyOf(shared.values()));

    List<ErasureWork.Subject> subjects = new ArrayList<>();
    for (ErasureRequests.Request request : requests) {
      Set<Long> keys = keysByRequest.getOrDefault(request.requestId(), Set.of());
      Set<Long> clusters = new java.util.TreeSet<>();
      keys.forEach(key -> clusters.addAll(clustersByKey.getOrDefault(key, Set.of())));
      Map<String, ErasureWork.Identifier> identifiers = new java.util.LinkedHashMap<>();
      // The requested identifier comes first; shared when another customer holds it too.
      String requestedId = request.type().key() + ":" + request.value();
      identifiers.put(requestedId, new ErasureWork.Identifier(request.type().key(), request.value(),
          shared.containsKey(requestedId), shared.get(requestedId)));
      for (Long key : keys) {
        for (String[] identifier : identifiersByKey.getOrDefault(key, List.of())) {
          String id = identifier[0] + ":" + identifier[1];
          boolean isShared = shared.containsKey(id) && !id.equals(request.type().key() + ":" + request.value());
          identifiers.putIfAbsent(id, new ErasureWork.Identifier(identifier[0], identifier[1], isShared,
              isShared ? shared.get(id) : null));
          if (isShared) {
            clusters.addAll(ownersClusters.getOrDefault(shared.get(id), Set.of()));
          }
        }
      }
      subjects.add(new ErasureWork.Subject(request.requestId(), request.raw(), List.copyOf(keys),
          List.copyOf(identifiers.values()), List.copyOf(clusters)));
    }
    return subjects;
  }

  /**
   * The keys of identifiers cut off from each of {@code keys} by a per-type limit ({@code over_limit}
   * in {@code identity_decisions}): theirs, held apart only by the limit. A key that holds a
   * customer_id is another customer's and is never taken.
   */
  private Map<Long, Set<Long>> cutOff(Set<Long> keys, Dataset<Row> map) {
    Map<Long, Set<Long>> cut = new HashMap<>();
    if (keys.isEmpty() || !store.exists(Tables.IDENTITY_DECISIONS)) {
      return cut;
    }
    Dataset<Row> customers = map.where(col("identifier_type").equalTo("customer_id")).select(col("customer_key"));
    for (Row row : store.read(Tables.IDENTITY_DECISIONS)
        .where(col("rule").equalTo("over_limit").and(col("other_customer_key").isin(keys.toArray())))
        .select(col("identifier_type"), col("identifier_value"), col("other_customer_key"))
        .join(map, scala.jdk.javaapi.CollectionConverters.asScala(List.of("identifier_type", "identifier_value")).toSeq())
        .join(customers, scala.jdk.javaapi.CollectionConverters.asScala(List.of("customer_key")).toSeq(), "left_anti")
        .select(col("other_customer_key"), col("customer_key")).distinct().collectAsList()) {
      cut.computeIfAbsent(row.getLong(0), key -> new HashSet<>()).add(row.getLong(1));
    }
    return cut;
  }

  /** The raw clusters ({@code identity_map.cluster_id}) each of {@code keys} has identifiers in. */
  private Map<Long, Set<Long>> clusters(Set<Long> keys) {
    Map<Long, Set<Long>> clusters = new HashMap<>();
    if (!keys.isEmpty()) {
      for (Row row : store.read(Tables.IDENTITY_MAP).where(col("customer_key").isin(keys.toArray()))
          .select(col("customer_key"), col("cluster_id")).distinct().collectAsList()) {
        clusters.computeIfAbsent(row.getLong(0), key -> new HashSet<>()).add(row.getLong(1));
      }
    }
    return clusters;
  }

  /**
   * The identifiers (as {@code type:value}) of the batch's keys that a customer outside the batch
   * holds too: an edge to another customer's customer_id (they logged in on it), or an identity
   * decision that kept it from joining another customer. A customer_id is never shared.
   */
  private Map<String, Long> shared(Map<Long, List<String[]>> identifiersByKey, Set<Long> batchKeys) {
    List<Row> identifiers = new ArrayList<>();
    identifiersByKey.values().forEach(list -> list.forEach(identifier ->
        identifiers.add(RowFactory.create("", identifier[0], identifier[1]))));
    if (identifiers.isEmpty()) {
      return Map.of();
    }
    Dataset<Row> ours = broadcast(store.spark().createDataFrame(identifiers, IDENTIFIERS)
        .select(col("identifier_type").as("o_type"), col("identifier_value").as("o_value")));
    Dataset<Row> map = store.read(Tables.IDENTITY_MAP)
        .select(col("identifier_type").as("n_type"), col("identifier_value").as("n_value"), col("customer_key"));
    Dataset<Row> edges = store.read(Tables.IDENTITY_EDGES);
    Dataset<Row> fromSrc = edges.join(ours, col("src_type").equalTo(col("o_type")).and(col("src_value").equalTo(col("o_value"))))
        .select(col("o_type"), col("o_value"), col("dst_type").as("x_type"), col("dst_value").as("x_value"),
            col("last_seen").as("x_last_seen"));
    Dataset<Row> fromDst = edges.join(ours, col("dst_type").equalTo(col("o_type")).and(col("dst_value").equalTo(col("o_value"))))
        .select(col("o_type"), col("o_value"), col("src_type").as("x_type"), col("src_value").as("x_value"),
            col("last_seen").as("x_last_seen"));
    Map<String, Long> shared = new HashMap<>();
    for (Row row : fromSrc.union(fromDst)
        // A login of another customer on the identifier (their customer_id beside the cookie): a
        // link to any other identifier of theirs says nothing, it may just be the shared cookie's.
        .where(col("x_type").equalTo("customer_id").and(col("o_type").notEqual("customer_id")))
        .join(map, col("x_type").equalTo(col("n_type")).and(col("x_value").equalTo(col("n_value"))))
        .where(col("customer_key").isin(batchKeys.toArray()).unary_$bang())
        .select(col("o_type"), col("o_value"), col("customer_key"), col("x_last_seen"))
        .orderBy(col("x_last_seen").asc_nulls_first()).collectAsList()) {
      // The other customer who logged in on it last gets it (the identity rule for a shared device).
      shared.put(row.getString(0) + ":" + row.getString(1), row.getLong(2));
    }
    Dataset<Row> decisions = store.read(Tables.IDENTITY_DECISIONS);
    for (Row row : decisions.join(ours, col("identifier_type").equalTo(col("o_type"))
            .and(col("identifier_value").equalTo(col("o_value"))))
        .where(col("o_type").notEqual("customer_id").and(col("other_customer_key").isNotNull())
            .and(col("other_customer_key").isin(batchKeys.toArray()).unary_$bang()))
        .select(col("o_type"), col("o_value"), col("other_customer_key")).distinct().collectAsList()) {
      shared.putIfAbsent(row.getString(0) + ":" + row.getString(1), row.getLong(2));
    }
    return shared;
  }

  /**
   * Whether the subject was asked for by an identifier that a customer outside the batch holds too
   * (a shared laptop's cookie): the request cannot tell whose data it means, so it is not answered
   * with anyone's.
   */
  public static boolean requestedByASharedIdentifier(ErasureWork.Subject subject) {
    return !subject.identifiers().isEmpty() && subject.identifiers().get(0).shared();
  }

  /**
   * The rows to find for a batch: every key, every identifier that is the subjects' alone, and a
   * matcher for free text over those identifiers and the requested values as received.
   */
  public static SubjectSet rowsOf(Collection<ErasureWork.Subject> subjects, String phoneRegion) {
    Set<Long> keys = new HashSet<>();
    Map<IdentifierType, Set<String>> identifiers = new EnumMap<>(IdentifierType.class);
    List<ValueMatcher.Value> values = new ArrayList<>();
    for (ErasureWork.Subject subject : subjects) {
      keys.addAll(subject.keys());
      boolean first = true;
      for (ErasureWork.Identifier identifier : subject.identifiers()) {
        if (identifier.shared()) {
          continue;
        }
        IdentifierType type = IdentifierType.byName(identifier.type()).orElseThrow();
        identifiers.computeIfAbsent(type, t -> new HashSet<>()).add(identifier.value());
        // The first identifier is the requested one: its spelling as received is searched for too.
        values.add(new ValueMatcher.Value(type, identifier.value(), first ? subject.raw() : null));
        first = false;
      }
    }
    return new SubjectSet(keys, identifiers, ValueMatcher.of(values, phoneRegion));
  }
}
