package io.tarmo.segments;

import java.util.List;
import java.util.Map;

/**
 * Every segment definition of the segments file, validated, in file order, with the event
 * properties declared for them.
 */
public record SegmentCatalog(Map<String, FieldType> properties, List<SegmentDefinition> segments) {

  public SegmentCatalog {
    properties = Map.copyOf(properties);
    segments = List.copyOf(segments);
  }

  public SegmentCatalog only(List<String> ids) {
    return new SegmentCatalog(properties, segments.stream().filter(s -> ids.contains(s.id())).toList());
  }
}
