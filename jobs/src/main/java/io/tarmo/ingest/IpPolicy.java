package io.tarmo.ingest;

/** What ingest keeps of an IP address ({@code tarmo.privacy.ip-policy}). */
public enum IpPolicy {
  /** IPv4 to its /24, IPv6 to its /48. */
  TRUNCATE,
  /** No IP address is stored. */
  DROP,
  /** The address is stored as received. */
  KEEP
}
