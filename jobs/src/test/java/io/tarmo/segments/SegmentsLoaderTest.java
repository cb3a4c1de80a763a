package io.tarmo.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentsLoaderTest {

  static String one(String id, String condition) {
    return "segments = [ { id = " + id + ", condition { " + condition + " } } ]";
  }

  @Test
  void shippedDefinitionsAreValidAndTellBothSeedStories() {
    SegmentCatalog catalog = SegmentsLoader.load(Path.of("..", "conf", "segments.conf"));
    assertThat(catalog.segments()).extracting(SegmentDefinition::id)
        .contains("avocado-regulars", "rate-cap-readers-without-appointment", "cart-abandoners",
            "lapsed-customers", "high-value-rfm");
    assertThat(catalog.properties()).containsEntry("topic", FieldType.STRING);
    Condition avocado = catalog.segments().get(0).condition();
    assertThat(avocado).isInstanceOf(Condition.Behaviour.class);
    assertThat(((Condition.Behaviour) avocado).window().thisMonth()).isTrue();
    assertThat(catalog.segments().get(1).condition()).isInstanceOf(Condition.Sequence.class);
  }

  @Test
  void healthInterestIsTheShippedSensitiveSegment() {
    SegmentCatalog catalog = SegmentsLoader.load(Path.of("..", "conf", "segments.conf"));
    assertThat(catalog.segments()).filteredOn(SegmentDefinition::sensitive).extracting(SegmentDefinition::id)
        .containsExactly("health-interest");
  }

  @Test
  void sensitiveIsFalseUnlessSaidAndMustBeABoolean() {
    assertThat(SegmentsLoader.parse(one("a", "profile { orders = 1 }"), "t").segments().get(0).sensitive()).isFalse();
    assertThat(SegmentsLoader.parse("segments = [ { id = h, sensitive = true, condition { profile { orders = 1 } } } ]",
        "t").segments().get(0).sensitive()).isTrue();
    assertThatThrownBy(() -> SegmentsLoader.parse(
        "segments = [ { id = h, sensitive = maybe, condition { profile { orders = 1 } } } ]", "t"))
        .hasMessageContaining("segment h:").hasMessageContaining("'sensitive' must be true or false");
  }

  @Test
  void plainValueMeansEqualsAndListMeansIn() {
    SegmentCatalog catalog = SegmentsLoader.parse(one("a", "event { where { category = \"Dairy\", "
        + "product_id = [x, y], price { gt = 10, lte = 20 } }, within = 30d }"), "test");
    Condition.Behaviour behaviour = (Condition.Behaviour) catalog.segments().get(0).condition();
    assertThat(behaviour.filter()).extracting(Condition.Predicate::comparison)
        .containsExactly(Comparison.EQ, Comparison.IN, Comparison.GT, Comparison.LTE);
    assertThat(behaviour.threshold()).isEqualTo(new Condition.Threshold(Comparison.GTE, 1));
    assertThat(behaviour.window()).isEqualTo(new Condition.Window(30, false));
  }

  @Test
  void sameDefinitionHasTheSameHashAndAChangedOneAnother() {
    String a = SegmentsLoader.parse(one("a", "event { event = X, within = 30d }"), "t").segments().get(0).hash();
    String b = SegmentsLoader.parse(one("a", "event { within = 30d, event = X }"), "t").segments().get(0).hash();
    String c = SegmentsLoader.parse(one("a", "event { event = X, within = 31d }"), "t").segments().get(0).hash();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown field            | event { where { colour = red }, within = 30d }          | unknown field 'colour'",
      "unknown profile field    | profile { email = \"x\" }                                | unknown field 'email'",
      "window in hours          | event { event = X, within = 36h }                         | bad window '36h'",
      "window of zero days      | event { event = X, within = 0d }                          | bad window",
      "window too long          | event { event = X, within = 401d }                        | at most 400 days",
      "window not a duration    | event { event = X, within = lastmonth }                   | bad window 'lastmonth'",
      "missing window           | event { event = X }                                       | needs a window",
      "unknown condition kind   | sometimes { event = X }                                   | unknown condition kind 'sometimes'",
      "two condition kinds      | event { event = X, within = 1d }, profile { orders = 1 }  | exactly one condition kind",
      "unknown comparison       | profile { orders { around = 3 } }                         | unknown comparison 'around'",
      "text compared by order   | event { where { category { gt = 3 } }, within = 1d }      | has no order",
      "number given text        | event { where { price = cheap }, within = 1d }            | must be a number",
      "two measures             | event { within = 1d, count { gte = 1 }, sum { of = price, gte = 1 } } | one of count, sum, distinct",
      "sum of text              | event { within = 1d, sum { of = category, gte = 1 } }     | must be a number field",
      "unknown threshold        | event { within = 1d, count { atleast = 1 } }              | unknown threshold 'atleast'",
      "sequence without follow  | sequence { did { event = X, within = 3d }, then-did-not { event = Y } } | needs 'follow-up'",
      "typo in event condition  | event { event = X, within = 3d, wehre { price = 1 } }     | unknown key 'wehre'",
      "empty all                | all = []                                                  | non-empty list",
  })
  void invalidDefinitionIsRefusedNamingItsId(String name, String condition, String problem) {
    assertThatThrownBy(() -> SegmentsLoader.parse(one("bad-one", condition), "segments.conf"))
        .isInstanceOfSatisfying(TarmoException.class, e -> {
          assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE);
          assertThat(e.getMessage()).contains("segment bad-one:").contains(problem).contains("segments.conf");
        });
  }

  @Test
  void unknownPropertyTypeIsRefusedNamingTheDefinition() {
    String hocon = "segments = [ { id = typed, properties { topic = text }, "
        + "condition { event { where { topic = x }, within = 1d } } } ]";
    assertThatThrownBy(() -> SegmentsLoader.parse(hocon, "t"))
        .hasMessageContaining("segment typed:").hasMessageContaining("unknown type 'text' of event property 'topic'");
  }

  @Test
  void undeclaredPropertyIsAnUnknownField() {
    assertThatThrownBy(() -> SegmentsLoader.parse(one("p", "event { where { topic = x }, within = 1d }"), "t"))
        .hasMessageContaining("segment p:").hasMessageContaining("unknown field 'topic'")
        .hasMessageContaining("declare other event properties");
  }

  @Test
  void duplicateIdIsRefused() {
    String hocon = "segments = [ { id = twice, condition { profile { orders = 1 } } },"
        + " { id = twice, condition { profile { orders = 2 } } } ]";
    assertThatThrownBy(() -> SegmentsLoader.parse(hocon, "t"))
        .hasMessageContaining("segment twice:").hasMessageContaining("duplicate id");
  }

  @Test
  void missingFileIsBadUsage() {
    assertThatThrownBy(() -> SegmentsLoader.load(Path.of("no-such-segments.conf")))
        .isInstanceOfSatisfying(TarmoException.class,
            e -> assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE))
        .hasMessageContaining("no such file");
  }
}
