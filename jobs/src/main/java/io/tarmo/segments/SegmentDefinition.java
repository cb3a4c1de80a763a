package io.tarmo.segments;

/**
 * One validated segment definition.
 *
 * @param id unique id, the {@code segment_id} of its members
 * @param title a readable name for reports
 * @param description what it is for
 * @param condition its rule
 * @param hash sha-256 of the definition as written (keys sorted), to see when a rule changed
 */
public record SegmentDefinition(String id, String title, String description, Condition condition, String hash) {}
