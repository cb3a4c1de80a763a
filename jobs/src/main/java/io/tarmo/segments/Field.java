package io.tarmo.segments;

/**
 * A value a condition can test: an event column, a declared event property (read from the
 * {@code properties} JSON and cast to its type), or a profile trait.
 *
 * @param name the name used in the segments file
 * @param type its type
 * @param property true for a declared event property, read from {@code properties.<name>}
 */
public record Field(String name, FieldType type, boolean property) {}
