package io.tarmo.ingest;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reduces an IP address per policy: IPv4 to its /24 ({@code 203.0.113.0}), IPv6 to its /48
 * ({@code 2001:db8:85a3::}). Parses literals only, never resolving a name; anything that is not
 * an IP literal becomes null.
 */
public final class IpAddresses {

  private static final Pattern IPV4 =
      Pattern.compile("^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
  private static final Pattern HEX_GROUP = Pattern.compile("^[0-9a-f]{1,4}$");

  private IpAddresses() {}

  public static String reduce(String raw, IpPolicy policy) {
    if (raw == null || policy == IpPolicy.DROP) {
      return null;
    }
    String ip = raw.trim().toLowerCase(Locale.ROOT);
    if (IPV4.matcher(ip).matches()) {
      return policy == IpPolicy.KEEP ? ip : ip.substring(0, ip.lastIndexOf('.')) + ".0";
    }
    int[] groups = ipv6Groups(ip);
    if (groups == null) {
      return null;
    }
    if (policy == IpPolicy.KEEP) {
      return ip;
    }
    return Integer.toHexString(groups[0]) + ":" + Integer.toHexString(groups[1]) + ":"
        + Integer.toHexString(groups[2]) + "::";
  }

  /** The eight 16-bit groups of an IPv6 literal (zone ids dropped), or null if it is not one. */
  static int[] ipv6Groups(String ip) {
    int zone = ip.indexOf('%');
    String address = zone >= 0 ? ip.substring(0, zone) : ip;
    if (address.isEmpty() || address.length() > 45 || address.indexOf(':') < 0) {
      return null;
    }
    int doubleColon = address.indexOf("::");
    if (doubleColon != address.lastIndexOf("::")) {
      return null;
    }
    String head = doubleColon >= 0 ? address.substring(0, doubleColon) : address;
    String tail = doubleColon >= 0 ? address.substring(doubleColon + 2) : "";
    int[] headGroups = parseGroups(head);
    int[] tailGroups = parseGroups(tail);
    if (headGroups == null || tailGroups == null) {
      return null;
    }
    int present = headGroups.length + tailGroups.length;
    if ((doubleColon < 0 && present != 8) || (doubleColon >= 0 && present > 7)) {
      return null;
    }
    int[] groups = new int[8];
    System.arraycopy(headGroups, 0, groups, 0, headGroups.length);
    System.arraycopy(tailGroups, 0, groups, 8 - tailGroups.length, tailGroups.length);
    return groups;
  }

  private static int[] parseGroups(String part) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] texts = part.split(":", -1);
    int[] groups = new int[texts.length + 1];
    int count = 0;
    for (int i = 0; i < texts.length; i++) {
      String text = texts[i];
      if (i == texts.length - 1 && text.contains(".")) {
        if (!IPV4.matcher(text).matches()) {
          return null;
        }
        String[] octets = text.split("\\.");
        groups[count++] = Integer.parseInt(octets[0]) << 8 | Integer.parseInt(octets[1]);
        groups[count++] = Integer.parseInt(octets[2]) << 8 | Integer.parseInt(octets[3]);
      } else if (HEX_GROUP.matcher(text).matches()) {
        groups[count++] = Integer.parseInt(text, 16);
      } else {
        return null;
      }
    }
    return java.util.Arrays.copyOf(groups, count);
  }
}
