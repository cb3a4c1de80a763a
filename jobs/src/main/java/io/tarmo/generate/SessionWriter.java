package io.tarmo.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Writes the events of one visit in the Segment Spec (CONTRACT 3.1): pages or screens, Segment
 * E-commerce Spec v2 tracks, the login {@code identify}, the sign-up {@code identify} and
 * {@code alias}, and the two seeded stories. A pure function of the visit and its random source,
 * so a session can be recomputed on a later day to re-send it.
 */
final class SessionWriter {

  static final String FINANCE_TITLE = "Interest-rate caps";
  static final String FINANCE_PATH = "/finance/interest-rate-caps";
  static final String APPOINTMENT_EVENT = "Appointment Booked";

  private final JsonLine j = new JsonLine();
  private final StringBuilder scratch = new StringBuilder(64);

  private Visit visit;
  private SplittableRandom r;
  private Consumer<String> out;
  private long t;
  private boolean loggedIn;
  private boolean offset;
  private String ip;
  private String agent;
  private String pageUrl;
  private String pagePath;
  private String pageTitle;
  private String referrer;
  private final List<Catalog.Product> cart = new ArrayList<>();

  void write(Visit v, SplittableRandom random, Consumer<String> sink) {
    visit = v;
    r = random;
    out = sink;
    t = v.startMillis();
    loggedIn = false;
    pageUrl = null;
    pagePath = null;
    pageTitle = null;
    cart.clear();
    offset = r.nextDouble() < MessRates.OFFSET_TIMESTAMP;
    ip = ip(r.nextLong());
    long agentHash = v.anonymousId().hashCode();
    agent = Catalog.pick(v.device() == Visit.APP ? Catalog.APP_AGENTS
        : v.device() == Visit.PHONE ? Catalog.MOBILE_AGENTS : Catalog.DESKTOP_AGENTS, agentHash);
    referrer = Catalog.REFERRERS.get(r.nextInt(Catalog.REFERRERS.size()));
    if (v.device() == Visit.APP) {
      app();
    } else {
      web();
    }
  }

  private void web() {
    if (visit.booksAppointment()) {
      page("Finance", "/finance", "finance");
      login();
      page("Book an appointment", "/finance/appointments", "finance");
      track(APPOINTMENT_EVENT);
      j.object("properties").str("topic", "interest-rate-caps").str("channel", "branch").end();
      emit();
      return;
    }
    if (visit.readsFinance()) {
      page("Finance", "/finance", "finance");
      page(FINANCE_TITLE, FINANCE_PATH, "finance");
    } else {
      landingPage();
    }
    int loginAt = visit.userId() != null && !visit.signup() ? r.nextInt(3) : -1;
    int signupAt = visit.signup() ? 1 + r.nextInt(4) : -1;
    int steps = 2 + r.nextInt(8);
    for (int s = 0; s < steps; s++) {
      if (s == loginAt) {
        login();
      }
      if (s == signupAt) {
        signup();
      }
      if (visit.avocadoLover() && s == 1) {
        avocado();
      }
      browse();
    }
    if (visit.readsFinance() && r.nextDouble() < 0.3) {
      page("Mortgage calculator", "/finance/mortgage-calculator", "finance");
    }
    if (!cart.isEmpty() && loggedIn && r.nextDouble() < 0.5) {
      checkout();
    }
  }

  private void app() {
    loggedIn = visit.userId() != null;
    screen("Home", null);
    int steps = 2 + r.nextInt(10);
    for (int s = 0; s < steps; s++) {
      if (visit.avocadoLover() && s == 0) {
        productViewed(Catalog.AVOCADO);
        if (r.nextDouble() < 0.4) {
          added(Catalog.AVOCADO);
        }
        continue;
      }
      double u = r.nextDouble();
      Catalog.Product p = product();
      if (u < 0.5) {
        screen("Product Detail", p);
        productViewed(p);
      } else if (u < 0.7) {
        added(p);
      } else {
        screen(Catalog.APP_SCREENS.get(r.nextInt(Catalog.APP_SCREENS.size())), null);
      }
    }
    if (!cart.isEmpty() && loggedIn && r.nextDouble() < 0.5) {
      checkout();
    }
  }

  private void landingPage() {
    double u = r.nextDouble();
    if (u < 0.4) {
      page("Home", "/", null);
    } else if (u < 0.7) {
      Catalog.Product p = product();
      page(p.name(), p.path(), p.category());
      productViewed(p);
    } else {
      String category = Catalog.CATEGORIES.get(r.nextInt(Catalog.CATEGORIES.size()));
      page(category, categoryPath(category), category);
    }
  }

  private void browse() {
    double u = r.nextDouble();
    if (u < 0.12) {
      String query = Catalog.SEARCHES.get(r.nextInt(Catalog.SEARCHES.size()));
      page("Search", "/search", null);
      track("Products Searched");
      j.object("properties").str("query", query).end();
      emit();
    } else if (u < 0.27) {
      String category = Catalog.CATEGORIES.get(r.nextInt(Catalog.CATEGORIES.size()));
      page(category, categoryPath(category), category);
      track("Product List Viewed");
      j.object("properties").str("list_id", categoryPath(category)).str("category", category);
      j.array("products");
      for (int k = 0; k < 3; k++) {
        Catalog.Product p = product();
        j.element().str("product_id", p.id()).str("name", p.name()).money("price", p.priceCents())
            .num("position", k + 1).end();
      }
      j.endArray().end();
      emit();
    } else if (u < 0.62) {
      Catalog.Product p = r.nextDouble() < 0.01 ? Catalog.AVOCADO : product();
      page(p.name(), p.path(), p.category());
      productViewed(p);
    } else if (u < 0.77) {
      added(cart.isEmpty() ? product() : cart.get(cart.size() - 1));
    } else if (u < 0.82 && !cart.isEmpty()) {
      page("Cart", "/cart", null);
      track("Cart Viewed");
      j.object("properties").str("cart_id", cartId());
      products(1);
      j.end();
      emit();
    } else {
      double v = r.nextDouble();
      if (v < 0.5) {
        page("Offers of the week", "/offers", null);
      } else if (v < 0.8) {
        page("Recipes", "/recipes/summer-salads", "recipes");
      } else {
        page("Opening hours", "/stores", null);
      }
    }
  }

  private void avocado() {
    page(Catalog.AVOCADO.name(), Catalog.AVOCADO.path(), Catalog.AVOCADO.category());
    productViewed(Catalog.AVOCADO);
    if (r.nextDouble() < 0.4) {
      added(Catalog.AVOCADO);
    }
  }

  private void login() {
    if (visit.userId() == null || loggedIn) {
      return;
    }
    loggedIn = true;
    identify(r.nextDouble() < 0.3);
  }

  private void signup() {
    page("Create account", "/account/register", null);
    loggedIn = true;
    identify(true);
    header("alias");
    j.str("previousId", visit.anonymousId());
    context(false);
    out.accept(j.finish());
    track("Signed Up");
    j.object("properties").str("method", "email").end();
    emit();
  }

  private void identify(boolean withTraits) {
    header("identify");
    Customer c = visit.customer();
    if (withTraits && c != null) {
      j.object("traits");
      boolean junk = r.nextDouble() < MessRates.JUNK_EMAIL;
      j.str("email", junk ? Catalog.JUNK_EMAIL : Population.messyEmail(c.email(), r.nextLong()));
      if (!c.phone().isEmpty()) {
        j.str("phone", Population.messyPhone(c.phone(), r.nextLong()));
      }
      j.str("firstName", c.firstName()).str("lastName", c.lastName());
      j.end();
    }
    context(false);
    out.accept(j.finish());
  }

  private void checkout() {
    page("Checkout", "/checkout", null);
    track("Checkout Started");
    String orderId = orderId();
    j.object("properties").str("order_id", orderId).money("value", cartValue()).str("currency", "EUR");
    products(1);
    j.end();
    emit();
    if (r.nextDouble() < 0.75) {
      track("Order Completed");
      long value = cartValue();
      j.object("properties").str("order_id", orderId).money("total", value + 499).money("revenue", value)
          .money("shipping", 499).str("currency", "EUR");
      products(1);
      j.end();
      emit();
    }
  }

  private void productViewed(Catalog.Product p) {
    track("Product Viewed");
    productProperties(p, 0);
    emit();
  }

  private void added(Catalog.Product p) {
    if (cart.size() < 8) {
      cart.add(p);
    }
    track("Product Added");
    productProperties(p, 1 + r.nextInt(3));
    emit();
  }

  private void productProperties(Catalog.Product p, int quantity) {
    j.object("properties").str("product_id", p.id()).str("sku", p.id()).str("name", p.name())
        .str("category", p.category()).money("price", p.priceCents()).str("currency", "EUR");
    if (quantity > 0) {
      j.str("cart_id", cartId()).num("quantity", quantity);
    } else {
      j.str("url", Catalog.SITE + p.path());
    }
    j.end();
  }

  private void products(int quantity) {
    j.array("products");
    for (Catalog.Product p : cart) {
      j.element().str("product_id", p.id()).str("name", p.name()).str("category", p.category())
          .money("price", p.priceCents()).num("quantity", quantity).end();
    }
    j.endArray();
  }

  private long cartValue() {
    long sum = 0;
    for (Catalog.Product p : cart) {
      sum += p.priceCents();
    }
    return sum;
  }

  private void page(String title, String path, String category) {
    String previous = pageUrl == null ? referrer : pageUrl;
    pageTitle = title;
    pagePath = path;
    pageUrl = Catalog.SITE + path;
    referrer = previous;
    header("page");
    j.str("name", title);
    j.object("properties").str("path", path).str("url", pageUrl).str("title", title).str("referrer", referrer);
    if (category != null) {
      j.str("category", category);
    }
    j.end();
    context(true);
    out.accept(j.finish());
  }

  private void screen(String name, Catalog.Product p) {
    header("screen");
    j.str("name", name);
    if (p != null) {
      j.object("properties").str("product_id", p.id()).str("name", p.name()).end();
    }
    context(false);
    out.accept(j.finish());
  }

  private void track(String event) {
    header("track");
    j.str("event", event);
  }

  private void emit() {
    context(visit.device() != Visit.APP);
    out.accept(j.finish());
  }

  private void header(String type) {
    t += 2_000 + r.nextInt(90_000);
    j.begin();
    j.str("messageId", Text.uuid(r.nextLong(), r.nextLong()));
    j.str("type", type);
    Text.timestamp(j.strRaw("timestamp").append('"'), t, offset);
    j.buffer().append('"');
    j.str("anonymousId", visit.anonymousId());
    if (loggedIn && visit.userId() != null) {
      j.str("userId", visit.userId());
    }
  }

  private void context(boolean withPage) {
    j.object("context").str("ip", ip).str("userAgent", agent);
    if (withPage && pagePath != null) {
      j.object("page").str("url", pageUrl).str("path", pagePath).str("referrer", referrer)
          .str("title", pageTitle).end();
    }
    if (loggedIn && visit.customer() != null && r.nextDouble() < MessRates.CONTEXT_TRAITS) {
      Customer c = visit.customer();
      j.object("traits").str("email", Population.messyEmail(c.email(), r.nextLong()));
      if (!c.phone().isEmpty()) {
        j.str("phone", Population.messyPhone(c.phone(), r.nextLong()));
      }
      j.end();
    }
    j.object("consent").object("categoryPreferences").bool("analytics", visit.analytics())
        .bool("marketing", visit.marketing()).bool("functional", true).end().end();
    if (visit.device() == Visit.APP) {
      j.object("app").str("name", "Tarmo Markt").str("version", "5.12.0").end();
      j.object("library").str("name", "analytics-kotlin").str("version", "1.16.0").end();
    } else {
      j.object("library").str("name", "analytics.js").str("version", "next-1.70.0").end();
    }
    j.end();
  }

  private Catalog.Product product() {
    return Catalog.PRODUCTS.get(1 + r.nextInt(Catalog.PRODUCTS.size() - 1));
  }

  private String cartId() {
    scratch.setLength(0);
    scratch.append("cart-").append(Long.toHexString(visit.key() * 31 + visit.startMillis() / 1000));
    return scratch.toString();
  }

  private String orderId() {
    return "ORD-" + Long.toString(Seeds.mix(visit.key() ^ visit.startMillis()) >>> 20, 36).toUpperCase(Locale.ROOT);
  }

  private static String categoryPath(String category) {
    StringBuilder sb = new StringBuilder("/c/");
    for (char c : category.toLowerCase(Locale.ROOT).toCharArray()) {
      if (c >= 'a' && c <= 'z') {
        sb.append(c);
      } else if (sb.charAt(sb.length() - 1) != '-') {
        sb.append('-');
      }
    }
    return sb.toString();
  }

  /** A public client address: IPv4 from German ISP ranges, or IPv6. */
  private static String ip(long h) {
    if (Seeds.unit(h) < MessRates.IPV6) {
      return "2a02:8108:" + Long.toHexString((h >>> 8) & 0xffff) + ":" + Long.toHexString((h >>> 24) & 0xffff)
          + "::" + Long.toHexString((h >>> 40) & 0xfff);
    }
    int[] first = {84, 91, 93, 109, 178, 188, 217, 79, 46};
    return first[(int) Math.floorMod(h >>> 5, (long) first.length)] + "." + ((h >>> 12) & 255) + "."
        + ((h >>> 20) & 255) + "." + (1 + ((h >>> 28) & 253));
  }
}
