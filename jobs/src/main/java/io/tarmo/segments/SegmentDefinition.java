package io.tarmo.segments;

/**
 * One validated segment definition.
 *
 * @param id unique id, the {@code segment_id} of its members
 * @param title a readable name for reports
 * @param description what it is for
 * @param sensitive whether membership reveals a special category of personal data (GDPR Art. 9:
 *     health, religion, sexual orientation, ...): such a segment is activated only for members who
 *     gave explicit consent, never on legitimate interest
 * @param condition its rule
 * @param hash sha-256 of the definition as written (keys sorted), to see when a rule changed
 */
public record SegmentDefinition(String id, String title, String description, boolean sensitive, Condition condition,
    String hash) {}
