package io.tarmo.testing;

import io.tarmo.activate.ActivationSettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Tables;
import io.tarmo.segments.SegmentCatalog;
import io.tarmo.segments.SegmentDefinition;
import java.time.LocalDate;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * CONTRACT 6 written a second time, as one plain Spark SQL query: the floor of the activation
 * benchmark ({@code bench/activation.sh}), and the independent answer a generated lake's activation
 * is compared with ({@code ActivationFloorTest}). It knows no suppression list: it answers for lakes
 * where nobody was erased.
 */
public final class ActivationFloor {

  private ActivationFloor() {}

  /**
   * The rows of {@code consent_state} as one plain query over the ledger and the identity map: per
   * customer, purpose and channel (a record for {@code all} standing for every channel), each
   * decision valid from its {@code ts} to the next decision's, a grant that expires first
   * {@code granted} and then {@code expired}. At equal {@code ts} the more restrictive decision comes
   * last, so it is the one that holds. What Tarmo adds to it is left out: a record delivered after
   * its {@code ts} counting from its delivery, and an interval split where an earlier objection
   * became known (both only matter when a ledger arrives late). The floor of the history that
   * {@code consent} writes, for the benchmark (registers {@code f_consent_events} and
   * {@code f_identity_map}).
   */
  public static String stateQuery(DeltaStore store, LocalDate day) {
    store.read(Tables.CONSENT_EVENTS).createOrReplaceTempView("f_consent_events");
    store.read(Tables.IDENTITY_MAP).createOrReplaceTempView("f_identity_map");
    return """
        WITH rec AS (
          SELECT m.customer_key, c.purpose, ch AS channel, c.status, c.legal_basis, c.ts, c.expires_at, c.consent_id,
                 c.source
          FROM f_consent_events c
          JOIN f_identity_map m ON m.identifier_type = c.subject_type AND m.identifier_value = c.subject_value
          LATERAL VIEW explode(IF(c.channel = 'all', array('email', 'sms', 'push', 'phone', 'web'), array(c.channel))) x AS ch
          WHERE c.ingest_date <= DATE'%1$s'),
        ordered AS (
          SELECT *, lead(ts) OVER (PARTITION BY customer_key, purpose, channel
                      ORDER BY ts, IF(status IN ('denied', 'withdrawn'), 1, 0),
                               CASE legal_basis WHEN 'contract' THEN 2 WHEN 'legitimate_interest' THEN 1 ELSE 0 END,
                               expires_at DESC NULLS FIRST, consent_id) AS next_ts
          FROM rec),
        intervals AS (
          SELECT customer_key, purpose, channel, status, legal_basis, ts AS valid_from,
                 IF(status = 'granted' AND expires_at IS NOT NULL, least(expires_at, next_ts), next_ts) AS valid_to,
                 consent_id, source
          FROM ordered
          UNION ALL
          SELECT customer_key, purpose, channel, 'expired', legal_basis, greatest(expires_at, ts), next_ts, consent_id,
                 source
          FROM ordered
          WHERE status = 'granted' AND expires_at IS NOT NULL AND (next_ts IS NULL OR expires_at < next_ts))
        SELECT *, DATE'%1$s' AS as_of_date FROM intervals WHERE valid_to IS NULL OR valid_from < valid_to
        """.formatted(day);
  }

  /**
   * The activation rows of {@code day} as one query over the lake's tables: CONTRACT 6 over the
   * ledger, written plainly (registers its inputs as temporary views named {@code f_*}).
   */
  public static String query(DeltaStore store, SegmentCatalog catalog, ActivationSettings settings, LocalDate day) {
    store.read(Tables.CONSENT_EVENTS).createOrReplaceTempView("f_consent_events");
    store.read(Tables.IDENTITY_MAP).createOrReplaceTempView("f_identity_map");
    store.read(Tables.CUSTOMER_PROFILES).createOrReplaceTempView("f_customer_profiles");
    store.read(Tables.SEGMENT_MEMBERSHIP).createOrReplaceTempView("f_segment_membership");
    String pairs = settings.pairs().stream()
        .map(pair -> "('" + pair.segmentId() + "', '" + pair.channel().name().toLowerCase(Locale.ROOT) + "', "
            + catalog.segments().stream().filter(s -> s.id().equals(pair.segmentId())).findFirst()
                .map(SegmentDefinition::sensitive).orElseThrow() + ")")
        .collect(Collectors.joining(", "));
    String cutoff = "TIMESTAMP'" + day.plusDays(1) + " 00:00:00'";
    return """
        WITH rec AS (
          SELECT m.customer_key, c.purpose, ch AS channel, c.status, c.legal_basis, c.ts, c.expires_at, c.consent_id
          FROM f_consent_events c
          JOIN f_identity_map m ON m.identifier_type = c.subject_type AND m.identifier_value = c.subject_value
          LATERAL VIEW explode(IF(c.channel = 'all', array('email', 'sms', 'push', 'phone', 'web'), array(c.channel))) x AS ch
          WHERE c.ingest_date <= DATE'%1$s' AND c.ts < %2$s AND c.purpose IN ('marketing', 'profiling')),
        ranked AS (
          SELECT *, row_number() OVER (PARTITION BY customer_key, purpose, channel
                      ORDER BY ts DESC, IF(status = 'granted', 0, 1) DESC, consent_id DESC) AS rn,
                    max(IF(status IN ('denied', 'withdrawn'), 1, 0)) OVER (PARTITION BY customer_key, purpose, channel) AS objected
          FROM rec),
        latest AS (SELECT * FROM ranked WHERE rn = 1),
        profiling_objection AS (
          SELECT DISTINCT customer_key FROM latest WHERE purpose = 'profiling' AND status IN ('denied', 'withdrawn')),
        allowed AS (
          SELECT customer_key, channel, legal_basis FROM latest
          WHERE purpose = 'marketing' AND status = 'granted' AND (expires_at IS NULL OR expires_at >= %2$s)
            AND (legal_basis = 'consent' OR (legal_basis = 'legitimate_interest' AND channel IN (%3$s) AND objected = 0))),
        pairs AS (SELECT * FROM VALUES %4$s AS p(segment_id, channel, sensitive)),
        members AS (
          SELECT p.segment_id, p.channel, p.sensitive, s.customer_key
          FROM f_segment_membership s JOIN pairs p ON p.segment_id = s.segment_id
          WHERE s.as_of_date = DATE'%1$s'),
        cookies AS (SELECT customer_key, identifier_value FROM f_identity_map WHERE identifier_type = 'anonymous_id'),
        addresses AS (
          SELECT customer_key, 'email' AS channel, email AS address FROM f_customer_profiles WHERE email IS NOT NULL
          UNION ALL SELECT customer_key, 'sms', phone FROM f_customer_profiles WHERE phone IS NOT NULL
          UNION ALL SELECT customer_key, 'phone', phone FROM f_customer_profiles WHERE phone IS NOT NULL
          UNION ALL SELECT p.customer_key, 'push', p.push_device_id FROM f_customer_profiles p
            JOIN cookies c ON c.customer_key = p.customer_key AND c.identifier_value = p.push_device_id
          UNION ALL SELECT customer_key, 'web', identifier_value FROM cookies)
        SELECT DATE'%1$s' AS as_of_date, m.channel, m.segment_id, m.customer_key, a.address
        FROM members m
        JOIN allowed c ON c.customer_key = m.customer_key AND c.channel = m.channel
        JOIN addresses a ON a.customer_key = m.customer_key AND a.channel = m.channel
        LEFT ANTI JOIN profiling_objection o ON o.customer_key = m.customer_key
        WHERE NOT (m.sensitive AND c.legal_basis <> 'consent')
        """.formatted(day, cutoff, settings.legitimateInterestChannels().stream()
            .map(channel -> "'" + channel.name().toLowerCase(Locale.ROOT) + "'").collect(Collectors.joining(", ")),
        pairs);
  }
}
