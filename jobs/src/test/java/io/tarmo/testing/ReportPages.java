package io.tarmo.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads back what a report page embeds: its aggregates, as the page's own script does. */
public final class ReportPages {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DATA = Pattern.compile(
      "<script type=\"application/json\" id=\"report-data\">(.*?)</script>", Pattern.DOTALL);

  private ReportPages() {}

  /** The JSON text embedded in {@code page}, as written (escapes included). */
  public static String dataText(String page) {
    Matcher matcher = DATA.matcher(page);
    assertThat(matcher.find()).as("the page embeds its data").isTrue();
    return matcher.group(1);
  }

  /** The aggregates embedded in {@code page}. */
  public static JsonNode data(String page) throws Exception {
    return JSON.readTree(dataText(page));
  }
}
