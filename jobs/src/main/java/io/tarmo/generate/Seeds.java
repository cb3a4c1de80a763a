package io.tarmo.generate;

/**
 * Stateless hashing that turns (seed, salt, index, day) into reproducible random numbers, so that
 * everything about a customer or a day can be recomputed without storing it.
 */
final class Seeds {

  private Seeds() {
  }

  /** SplitMix64's finaliser: a strong 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long hash(long seed, long salt, long a) {
    return mix(mix(seed * 0x9e3779b97f4a7c15L + salt) + a);
  }

  static long hash(long seed, long salt, long a, long b) {
    return mix(hash(seed, salt, a) ^ (b * 0xc2b2ae3d27d4eb4fL));
  }

  /** A uniform double in [0, 1) from a hash. */
  static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }

  static double unit(long seed, long salt, long a) {
    return unit(hash(seed, salt, a));
  }

  static double unit(long seed, long salt, long a, long b) {
    return unit(hash(seed, salt, a, b));
  }

  /** Salts: one per independent decision, so that decisions do not correlate. */
  static final long CUSTOMER = 1;
  static final long ACTIVITY = 2;
  static final long VISIT = 3;
  static final long SESSION = 4;
  static final long SIGNUP = 5;
  static final long AVOCADO = 6;
  static final long FINANCE = 7;
  static final long FINANCE_READ = 8;
  static final long BOOKING = 9;
  static final long HOUSEHOLD = 10;
  static final long CHANGE = 11;
  static final long RESEND = 12;
  static final long PROSPECT_VISIT = 13;
  static final long PROSPECT_SESSION = 14;
  static final long COOKIE = 15;
  static final long DAY = 16;
  static final long CONSENT = 17;
  static final long APP = 18;
  static final long CRM_DAY = 19;
  static final long CONSENT_DAY = 20;
  static final long LATE = 21;
}
