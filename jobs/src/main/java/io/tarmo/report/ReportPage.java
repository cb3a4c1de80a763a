package io.tarmo.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;

/**
 * The report as one self-contained HTML page: the page's layout ({@code report.html}), Apache
 * ECharts from its WebJar on the classpath and the page's own script ({@code report.js}) inlined, and
 * the aggregates embedded as JSON, so it opens from disk with no network. A Content-Security-Policy
 * in the page forbids every fetch, so a chart that would load anything fails visibly instead of
 * reaching out. All text from the data reaches the page through the DOM's text APIs and ECharts, never
 * as markup, which is why a plain template with three markers is enough.
 */
final class ReportPage {

  private static final String TEMPLATE = "/io/tarmo/report/report.html";
  private static final String SCRIPT = "/io/tarmo/report/report.js";
  private static final String ECHARTS_POM = "/META-INF/maven/org.webjars.npm/echarts/pom.properties";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReportPage() {}

  /** The page for {@code data} ({@link ReportData}). */
  static String render(ObjectNode data) {
    String version = echartsVersion();
    ObjectNode page = data.deepCopy();
    ((ObjectNode) page.get("report")).put("chart_library", "Apache ECharts " + version);
    return resource(TEMPLATE)
        .replace("<!-- tarmo:data -->", "<script type=\"application/json\" id=\"report-data\">" + json(page)
            + "</script>")
        .replace("<!-- tarmo:echarts -->", script("data-library=\"echarts " + version + "\"", resource(
            "/META-INF/resources/webjars/echarts/" + version + "/dist/echarts.min.js")))
        .replace("<!-- tarmo:page -->", script("", resource(SCRIPT)));
  }

  /**
   * {@code data} as JSON that cannot end the script element holding it: {@code <}, {@code >} and
   * {@code &} are written as JSON escapes, so no {@code </script>} or {@code <!--} can appear.
   */
  static String json(ObjectNode data) {
    try {
      return JSON.writeValueAsString(data)
          .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the report's data as JSON", e);
    }
  }

  /** {@code code} as a script element with {@code attributes}; refused if it could end the element early. */
  private static String script(String attributes, String code) {
    if (code.toLowerCase(Locale.ROOT).contains("</script")) {
      throw new IllegalStateException("Cannot inline a script into the report: it contains </script");
    }
    return "<script" + (attributes.isEmpty() ? "" : " " + attributes) + ">" + code + "</script>";
  }

  /** The version of the ECharts WebJar on the classpath: the one the build pinned. */
  static String echartsVersion() {
    Properties pom = new Properties();
    try (InputStream in = open(ECHARTS_POM)) {
      pom.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the ECharts WebJar's version (" + ECHARTS_POM + ")", e);
    }
    return pom.getProperty("version");
  }

  private static String resource(String name) {
    try (InputStream in = open(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the report's resource " + name, e);
    }
  }

  private static InputStream open(String name) {
    InputStream in = ReportPage.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("Cannot find the report's resource on the classpath: " + name);
    }
    return in;
  }
}
