package io.tarmo.segments;

import java.nio.file.Path;

/**
 * Where {@code segments} reads its definitions: {@code tarmo.segments.file}, resolved against the
 * working directory, else against {@code TARMO_HOME} when that holds it.
 */
public record SegmentSettings(Path file) {}
