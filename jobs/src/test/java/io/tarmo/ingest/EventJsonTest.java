package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class EventJsonTest {

  private static final EventJson PARSER = new EventJson("analytics");

  private static Row parse(String line) {
    return PARSER.call(line.getBytes(StandardCharsets.UTF_8));
  }

  private static String field(Row row, String name) {
    return row.getAs(name);
  }

  private static boolean malformed(Row row) {
    return row.<Boolean>getAs(EventJson.MALFORMED);
  }

  @Test
  void scalarsReadAsTheirTextAndStructuresAsJson() {
    Row row = parse("{\"messageId\":42,\"type\":\"track\",\"userId\":true,\"event\":[1, 2],\"name\":{\"a\": 1},"
        + "\"anonymousId\":null,\"timestamp\":\"2026-11-28T10:00:00Z\"}");
    assertThat(malformed(row)).isFalse();
    assertThat(field(row, "messageId")).isEqualTo("42");
    assertThat(field(row, "userId")).isEqualTo("true");
    assertThat(field(row, "event")).isEqualTo("[1, 2]");
    assertThat(field(row, "name")).isEqualTo("{\"a\": 1}");
    assertThat(field(row, "anonymousId")).isNull();
    assertThat(field(row, "previousId")).as("absent").isNull();
  }

  @Test
  void propertiesKeepTheirTextAsReceivedAndTheirKnownKeysAreRead() {
    String properties = "{ \"note\": \"café ☕\", \"price\": 12.50, \"products\": [{\"id\": 1}], \"category\":\"Fruit\" }";
    Row row = parse("{\"messageId\":\"m\",\"properties\":" + properties + ",\"type\":\"track\"}");
    assertThat(field(row, "properties")).isEqualTo(properties);
    assertThat(field(row, "p_price")).isEqualTo("12.50");
    assertThat(field(row, "p_category")).isEqualTo("Fruit");
    assertThat(field(row, "p_product_id")).isNull();
    assertThat(field(row, "type")).as("fields after properties still read").isEqualTo("track");
  }

  @Test
  void propertiesThatAreNotAnObjectKeepTheirTextAndHaveNoKeys() {
    Row row = parse("{\"properties\":\"just text\",\"traits\":7}");
    assertThat(malformed(row)).isFalse();
    assertThat(field(row, "properties")).isEqualTo("just text");
    assertThat(field(row, "p_category")).isNull();
    assertThat(field(row, "traits")).isEqualTo("7");
    assertThat(field(row, "t_email")).isNull();
  }

  @Test
  void traitsAndContextTraitsAreReadSeparately() {
    Row row = parse("{\"traits\":{\"email\":\"a@x.io\",\"firstName\":\"Ann\"},"
        + "\"context\":{\"traits\":{\"phone\":\"0151 2\"},\"ip\":\"10.0.0.1\",\"userAgent\":\"UA\","
        + "\"page\":{\"path\":\"/p\",\"url\":\"https://s/p\",\"referrer\":null,\"title\":\"T\"}}}");
    assertThat(field(row, "t_email")).isEqualTo("a@x.io");
    assertThat(field(row, "t_phone")).isNull();
    assertThat(field(row, "context_traits_phone")).isEqualTo("0151 2");
    assertThat(field(row, "context_ip")).isEqualTo("10.0.0.1");
    assertThat(field(row, "context_userAgent")).isEqualTo("UA");
    assertThat(field(row, "page_path")).isEqualTo("/p");
    assertThat(field(row, "page_url")).isEqualTo("https://s/p");
    assertThat(field(row, "page_title")).isEqualTo("T");
    assertThat(field(row, "traits")).isEqualTo("{\"email\":\"a@x.io\",\"firstName\":\"Ann\"}");
  }

  @Test
  void theConfiguredConsentCategoryIsRead() {
    assertThat(parse("{\"context\":{\"consent\":{\"categoryPreferences\":{\"ads\":true,\"analytics\":false}}}}")
        .<Boolean>getAs("analytics_preference")).isFalse();
    assertThat(parse("{\"context\":{\"consent\":{\"categoryPreferences\":{\"analytics\":true}}}}")
        .<Boolean>getAs("analytics_preference")).isTrue();
    assertThat(parse("{\"context\":{\"consent\":{\"categoryPreferences\":{\"ads\":false}}}}")
        .<Boolean>getAs("analytics_preference")).isNull();
  }

  @Test
  void wrongNestedTypesMakeTheLineMalformed() {
    assertThat(malformed(parse("{\"context\":\"web\"}"))).isTrue();
    assertThat(malformed(parse("{\"context\":{\"page\":\"/x\"}}"))).isTrue();
    assertThat(malformed(parse("{\"context\":{\"traits\":[1]}}"))).isTrue();
    assertThat(malformed(parse("{\"context\":{\"consent\":{\"categoryPreferences\":{\"analytics\":\"no\"}}}}"))).isTrue();
    assertThat(malformed(parse("{\"context\":{\"consent\":{\"categoryPreferences\":[]}}}"))).isTrue();
    assertThat(malformed(parse("{\"context\":null,\"messageId\":\"m\"}"))).isFalse();
  }

  @Test
  void anythingButOneJsonObjectIsMalformed() {
    assertThat(malformed(parse("{\"messageId\":\"m\""))).isTrue();
    assertThat(malformed(parse("{\"messageId\":\"m\"} trailing"))).isTrue();
    assertThat(malformed(parse("{\"a\":1}{\"b\":2}"))).isTrue();
    assertThat(malformed(parse("[{\"messageId\":\"m\"}]"))).isTrue();
    assertThat(malformed(parse("\"text\""))).isTrue();
    assertThat(malformed(parse(""))).isTrue();
    assertThat(PARSER.call(null).<Boolean>getAs(EventJson.MALFORMED)).isTrue();
    Row row = parse("{\"messageId\":\"m\"");
    assertThat(field(row, "messageId")).as("a malformed line yields no fields").isNull();
  }

  @Test
  void readsJsonAsSparkDoesByDefault() {
    Row row = parse("{'messageId':'m1', \"properties\":{\"price\":NaN}, \"messageId\":\"m2\"}  ");
    assertThat(malformed(row)).isFalse();
    assertThat(field(row, "messageId")).as("a repeated key keeps its last value").isEqualTo("m2");
    assertThat(field(row, "p_price")).isEqualTo("NaN");
  }
}
