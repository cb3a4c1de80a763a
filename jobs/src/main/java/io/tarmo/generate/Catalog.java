package io.tarmo.generate;

import java.util.List;

/** The fixed world the generator draws from: the shop's products and pages, names, places, devices. */
final class Catalog {

  private Catalog() {
  }

  /** One product of the shop; {@code path} is its product page. */
  record Product(String id, String name, String category, long priceCents, String path) {
  }

  static final String SITE = "https://www.tarmo-markt.de";

  static final Product AVOCADO = new Product("sku-avo-organic", "Organic Avocados", "Fruit & Vegetables",
      349, "/p/organic-avocados");

  static final List<Product> PRODUCTS = List.of(
      AVOCADO,
      new Product("sku-ban-001", "Bananas", "Fruit & Vegetables", 179, "/p/bananas"),
      new Product("sku-tom-cherry", "Cherry Tomatoes", "Fruit & Vegetables", 249, "/p/cherry-tomatoes"),
      new Product("sku-app-elstar", "Elstar Apples", "Fruit & Vegetables", 299, "/p/elstar-apples"),
      new Product("sku-avo-regular", "Avocado", "Fruit & Vegetables", 129, "/p/avocado"),
      new Product("sku-car-bio", "Organic Carrots", "Fruit & Vegetables", 149, "/p/organic-carrots"),
      new Product("sku-sal-rom", "Romaine Lettuce", "Fruit & Vegetables", 119, "/p/romaine-lettuce"),
      new Product("sku-mil-3-5", "Fresh Milk 3.5%", "Dairy", 129, "/p/fresh-milk"),
      new Product("sku-yog-greek", "Greek Yoghurt", "Dairy", 219, "/p/greek-yoghurt"),
      new Product("sku-che-gouda", "Gouda, young", "Dairy", 289, "/p/gouda-young"),
      new Product("sku-but-irish", "Irish Butter", "Dairy", 279, "/p/irish-butter"),
      new Product("sku-bre-rye", "Rye Bread", "Bakery", 329, "/p/rye-bread"),
      new Product("sku-bre-pretzel", "Pretzels (4)", "Bakery", 199, "/p/pretzels"),
      new Product("sku-cro-butter", "Butter Croissants", "Bakery", 249, "/p/butter-croissants"),
      new Product("sku-cof-beans", "Espresso Beans 1kg", "Coffee & Tea", 1699, "/p/espresso-beans"),
      new Product("sku-tea-green", "Green Tea \"Sencha\"", "Coffee & Tea", 449, "/p/green-tea-sencha"),
      new Product("sku-pas-spag", "Spaghetti No. 5", "Pantry", 149, "/p/spaghetti"),
      new Product("sku-oil-olive", "Olive Oil, extra virgin", "Pantry", 899, "/p/olive-oil"),
      new Product("sku-ric-basmati", "Basmati Rice", "Pantry", 279, "/p/basmati-rice"),
      new Product("sku-cho-dark", "Dark Chocolate 85%", "Sweets", 229, "/p/dark-chocolate"),
      new Product("sku-win-riesling", "Riesling Trocken", "Wine", 1199, "/p/riesling-trocken"),
      new Product("sku-bee-pils", "Pils 6x0.33l", "Beer", 549, "/p/pils-6-pack"),
      new Product("sku-det-color", "Colour Detergent", "Household", 1299, "/p/colour-detergent"),
      new Product("sku-dia-size4", "Diapers Size 4", "Baby", 1599, "/p/diapers-size-4"),
      new Product("sku-dog-dry", "Dog Food, dry 4kg", "Pets", 1899, "/p/dog-food-dry"),
      // Health products: interest in them can reveal a health condition (GDPR Art. 9), which is what
      // the sensitive health-interest segment is about.
      new Product("sku-vit-d3", "Vitamin D3 Drops", "Health & Pharmacy", 899, "/p/vitamin-d3-drops"),
      new Product("sku-all-relief", "Allergy Relief Tablets", "Health & Pharmacy", 649, "/p/allergy-relief-tablets"));

  static final List<String> CATEGORIES = List.of("Fruit & Vegetables", "Dairy", "Bakery", "Coffee & Tea",
      "Pantry", "Sweets", "Wine", "Beer", "Household", "Baby", "Pets", "Health & Pharmacy");

  static final List<String> SEARCHES = List.of("avocado", "bio avocado", "milch", "espresso", "brot",
      "oat milk", "riesling", "windeln", "hundefutter", "olivenöl", "schokolade", "bananen", "käse");

  static final List<String> REFERRERS = List.of("", "", "", "https://www.google.com/", "https://www.google.de/",
      "https://www.bing.com/", "https://www.instagram.com/", "https://newsletter.tarmo-markt.de/?utm_source=newsletter",
      "https://www.facebook.com/", "https://duckduckgo.com/");

  static final List<String> DESKTOP_AGENTS = List.of(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67");

  static final List<String> MOBILE_AGENTS = List.of(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Mobile Safari/537.36");

  static final List<String> APP_AGENTS = List.of(
      "TarmoMarkt/5.12.0 (iPhone; iOS 17.4; Scale/3.00)",
      "TarmoMarkt/5.12.0 (Linux; Android 14; SM-S918B)",
      "TarmoMarkt/5.11.2 (Linux; Android 13; Pixel 7)");

  static final List<String> APP_SCREENS = List.of("Home", "Offers", "Product Detail", "Search", "Cart",
      "Shopping List", "Loyalty Card");

  static final List<String> JUNK_ANONYMOUS_IDS = List.of("undefined", "null", "0",
      "00000000-0000-0000-0000-000000000000");

  static final String JUNK_EMAIL = "test@test.com";

  static final List<String> FIRST_NAMES = List.of("Anna", "Lena", "Marie", "Sophie", "Laura", "Julia", "Lea",
      "Hannah", "Sarah", "Katharina", "Jürgen", "Lukas", "Leon", "Finn", "Jonas", "Paul", "Felix", "Maximilian",
      "Tobias", "Stefan", "Thomas", "Michael", "Andreas", "Sabine", "Petra", "Monika", "Ayşe", "Mehmet",
      "Olga", "Piotr", "Giulia", "Luca", "Fatima", "Ali", "Jana", "Noah", "Emma", "Mia", "Ben", "Elias");

  static final List<String> LAST_NAMES = List.of("Müller", "Schmidt", "Schneider", "Fischer", "Weber",
      "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
      "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
      "Yılmaz", "Kaya", "Nowak", "Kowalski", "Rossi", "O'Brien", "van der Berg", "Petrović", "Öztürk");

  static final List<String> STREETS = List.of("Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße",
      "Dorfstraße", "Bergstraße", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Am Markt",
      "Goethestraße", "Schillerstraße", "Friedrichstraße", "Mozartweg");

  /** A city with the first two digits of its postal codes. */
  record City(String name, String postalPrefix) {
  }

  static final List<City> CITIES = List.of(new City("Berlin", "10"), new City("Hamburg", "20"),
      new City("München", "80"), new City("Köln", "50"), new City("Frankfurt am Main", "60"),
      new City("Stuttgart", "70"), new City("Düsseldorf", "40"), new City("Leipzig", "04"),
      new City("Dortmund", "44"), new City("Essen", "45"), new City("Bremen", "28"), new City("Dresden", "01"),
      new City("Hannover", "30"), new City("Nürnberg", "90"), new City("Freiburg im Breisgau", "79"));

  static final List<String> EMAIL_DOMAINS = List.of("gmail.com", "web.de", "gmx.de", "t-online.de",
      "outlook.com", "yahoo.de", "icloud.com", "gmx.net", "posteo.de");

  /** German mobile prefixes (without the leading 0) and the subscriber length that makes them valid. */
  static final String[] DE_MOBILE_PREFIXES = {"151", "152", "157", "159", "160", "162", "163", "170", "171",
      "172", "173", "174", "175", "176", "177", "178", "179"};

  /** Foreign numbers in E.164: country prefix, mobile prefix, subscriber digits, ISO country. */
  record ForeignPhone(String countryCode, String prefix, int digits, String country) {
  }

  static final List<ForeignPhone> FOREIGN_PHONES = List.of(
      new ForeignPhone("43", "664", 7, "AT"), new ForeignPhone("41", "79", 7, "CH"),
      new ForeignPhone("31", "61", 7, "NL"), new ForeignPhone("33", "61", 7, "FR"),
      new ForeignPhone("48", "60", 7, "PL"), new ForeignPhone("39", "347", 7, "IT"),
      new ForeignPhone("44", "740", 7, "GB"));

  static <T> T pick(List<T> list, long hash) {
    return list.get((int) Math.floorMod(hash, (long) list.size()));
  }
}
