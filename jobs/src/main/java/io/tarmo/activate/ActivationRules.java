package io.tarmo.activate;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode_outer;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.tarmo.subject.Pseudonyms;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The contact decision of CONTRACT 6 as pure transformations: who of an audience may be contacted
 * on its channel as of a day, at which address, and for everyone else the one reason why not
 * ({@link ExclusionReason}, tested in its order). When in doubt (an unknown status or basis, two
 * records for one channel and day), the more restrictive answer wins.
 */
public final class ActivationRules {

  /** An E.164 number: what a sending tool can dial or text. */
  static final String E164 = "^\\+[1-9][0-9]{6,14}$";

  private static final String MARKETING = "marketing";
  private static final String PROFILING = "profiling";

  private ActivationRules() {}

  /**
   * One decision per audience member and channel, with its address: {@code members} are
   * {@code segment_id, customer_key}, {@code pairs} the configured {@code segment_id, channel,
   * sensitive}, {@code consent} is {@code consent_state} as of the day, {@code suppressed} the
   * suppressed {@code customer_key}s, {@code profiles} {@code customer_profiles} and
   * {@code identityMap} {@code identity_map} (addresses: {@link #channelAddresses}). Returns
   * {@code segment_id, channel, customer_key, legal_basis, consent_id} (of the deciding marketing
   * record), {@code reason} and {@code address}: a member consent allows gets one row per address
   * of the channel (reason null), or {@code no_address} without one; an excluded member gets one
   * row with its reason and no address.
   *
   * <p>Everything known about a customer (their marketing record per channel, an objection to
   * profiling, a suppression, their addresses) is gathered into one row per member first, joined
   * on {@code customer_key} alone; only then is each member spread over the channels of its
   * segment, which needs no shuffle. Joining per member and channel instead moved every member
   * once per channel through each of four joins.
   */
  public static Dataset<Row> decide(Dataset<Row> members, Dataset<Row> pairs, Dataset<Row> consent,
      Dataset<Row> suppressed, Dataset<Row> profiles, Dataset<Row> identityMap,
      Set<Channel> legitimateInterestChannels) {
    // Partitioned by customer once: the window per customer and channel, the map per customer and
    // the join with the members all keep that partitioning.
    Dataset<Row> marketing = latestPerChannel(consent.where(col("purpose").equalTo(MARKETING))
            .repartition(col(CUSTOMER_KEY)))
        .groupBy(col(CUSTOMER_KEY).as("m_key"))
        .agg(map_from_entries(collect_list(struct(col("channel"), struct(col("status"), col("legal_basis"),
            col("objected_before"), col("consent_id"))))).as("marketing"));
    Dataset<Row> objecting = consent.where(col("purpose").equalTo(PROFILING)
            .and(col("status").isin("denied", "withdrawn")))
        .select(col(CUSTOMER_KEY).as("o_key")).distinct().withColumn("objecting", lit(true));
    Dataset<Row> blocked = suppressed.select(col(CUSTOMER_KEY).as("s_key")).distinct()
        .withColumn("suppressed", lit(true));
    Dataset<Row> contact = profiles.select(col(CUSTOMER_KEY).as("p_key"), col("email"), col("phone"),
        col("push_device_id"));
    Dataset<Row> cookies = identityMap.where(col("identifier_type").equalTo("anonymous_id"))
        .groupBy(col(CUSTOMER_KEY).as("w_key")).agg(collect_list(col("identifier_value")).as("cookies"));

    Dataset<Row> perMember = members.select(col("segment_id"), col(CUSTOMER_KEY))
        .join(marketing, col(CUSTOMER_KEY).equalTo(col("m_key")), "left")
        .join(objecting, col(CUSTOMER_KEY).equalTo(col("o_key")), "left")
        .join(blocked, col(CUSTOMER_KEY).equalTo(col("s_key")), "left")
        .join(contact, col(CUSTOMER_KEY).equalTo(col("p_key")), "left")
        .join(cookies, col(CUSTOMER_KEY).equalTo(col("w_key")), "left");
    Dataset<Row> perChannel = perMember.join(broadcast(pairs.select(col("segment_id"), col("channel"),
        col("sensitive"))), "segment_id");

    List<String> liChannels = new TreeSet<>(legitimateInterestChannels.stream().map(Channel::key).toList()).stream()
        .toList();
    Column record = col("marketing").getItem(col("channel"));
    Column status = record.getField("status");
    Column basis = record.getField("legal_basis");
    // An unknown objection history is read as an objection: legitimate interest needs a clean one.
    Column objectedBefore = coalesce(record.getField("objected_before"), lit(true));
    Column liAllowed = liChannels.isEmpty() ? lit(false) : col("channel").isin(liChannels.toArray());
    Column reason = when(coalesce(col("suppressed"), lit(false)), reason(ExclusionReason.SUPPRESSED))
        .when(coalesce(col("objecting"), lit(false)), reason(ExclusionReason.PROFILING_OBJECTION))
        .when(status.isNull(), reason(ExclusionReason.NO_CONSENT))
        .when(status.isin("denied", "withdrawn"), reason(ExclusionReason.DENIED_OR_WITHDRAWN))
        .when(status.equalTo("expired"), reason(ExclusionReason.EXPIRED))
        .when(status.notEqual("granted"), reason(ExclusionReason.NO_CONSENT))
        .when(basis.equalTo("contract"), reason(ExclusionReason.CONTRACT_BASIS))
        .when(basis.equalTo("legitimate_interest").and(not(liAllowed.and(not(objectedBefore)))),
            reason(ExclusionReason.LEGITIMATE_INTEREST_NOT_ALLOWED))
        .when(basis.isNull().or(not(basis.isin("consent", "legitimate_interest"))), reason(ExclusionReason.NO_CONSENT))
        .when(col("sensitive").and(basis.notEqual("consent")), reason(ExclusionReason.SENSITIVE_WITHOUT_CONSENT));
    Dataset<Row> decided = perChannel.select(col("segment_id"), col("channel"), col(CUSTOMER_KEY),
            basis.as("legal_basis"), record.getField("consent_id").as("consent_id"), reason.as("reason"),
            when(reason.isNull(), channelAddresses()).as("addresses"))
        .withColumn("address", explode_outer(col("addresses")));
    return decided.select(col("segment_id"), col("channel"), col(CUSTOMER_KEY), col("legal_basis"), col("consent_id"),
        coalesce(col("reason"), when(col("address").isNull(), reason(ExclusionReason.NO_ADDRESS))).as("reason"),
        col("address"));
  }

  /**
   * The latest valid record per customer and channel. The consent run keeps one valid interval per
   * customer, purpose and channel; should two overlap, the later start wins and, on a tie, the
   * more restrictive status.
   */
  private static Dataset<Row> latestPerChannel(Dataset<Row> records) {
    Column restrictiveFirst = when(col("status").isin("denied", "withdrawn"), 0)
        .when(col("status").equalTo("expired"), 1).when(col("status").equalTo("granted"), 3).otherwise(2);
    return records.withColumn("rank", row_number().over(
            Window.partitionBy(col(CUSTOMER_KEY), col("channel"))
                .orderBy(col("valid_from").desc(), restrictiveFirst.asc(), col("consent_id").asc())))
        .where(col("rank").equalTo(1)).drop("rank");
  }

  private static Column reason(ExclusionReason reason) {
    return lit(reason.key());
  }

  /**
   * The addresses of a member on the row's {@code channel}, from its profile ({@code email},
   * {@code phone}, {@code push_device_id}) and its {@code cookies} (its anonymous_ids in
   * {@code identity_map}); null when it has none. Email: the golden email; sms and phone: the phone
   * when it is E.164; push: the {@code push_device_id} when it is still an anonymous_id of the
   * customer (never a device the identity rules took away or blocked); web: each anonymous_id.
   */
  static Column channelAddresses() {
    Column channel = col("channel");
    return when(channel.equalTo(Channel.EMAIL.key()), when(trim(col("email")).notEqual(""), array(col("email"))))
        .when(channel.isin(Channel.SMS.key(), Channel.PHONE.key()), when(col("phone").rlike(E164), array(col("phone"))))
        .when(channel.equalTo(Channel.PUSH.key()), when(col("push_device_id").isNotNull()
            .and(array_contains(col("cookies"), col("push_device_id"))), array(col("push_device_id"))))
        .when(channel.equalTo(Channel.WEB.key()), col("cookies"));
  }

  /**
   * The {@code customer_key}s among {@code customers} of whom an identifier in {@code identity_map}
   * or an address in {@code profiles} (email, phone, push device) has its keyed hash in
   * {@code suppression_list}. Only the customers' own identifiers are hashed.
   */
  public static Dataset<Row> suppressed(Dataset<Row> customers, Dataset<Row> identityMap, Dataset<Row> profiles,
      Dataset<Row> suppressionList, Pseudonyms pseudonyms) {
    Dataset<Row> keys = customers.select(col(CUSTOMER_KEY)).distinct();
    Dataset<Row> identifiers = identityMap.join(keys, CUSTOMER_KEY)
        .select(col(CUSTOMER_KEY), col("identifier_value").as("value"));
    Dataset<Row> wanted = profiles.join(keys, CUSTOMER_KEY);
    Dataset<Row> values = Stream.of("email", "phone", "push_device_id")
        .map(column -> wanted.select(col(CUSTOMER_KEY), col(column).as("value")))
        .reduce(identifiers, Dataset::unionByName)
        .where(col("value").isNotNull())
        .distinct();
    Dataset<Row> hashes = suppressionList.select(col("identifier_hash")).distinct();
    return values.withColumn("identifier_hash", pseudonyms.of(col("value")))
        .join(hashes, "identifier_hash")
        .select(col(CUSTOMER_KEY))
        .distinct();
  }
}
