package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressesTest {

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
      "203.0.113.77, 203.0.113.0",
      "' 10.1.2.3 ', 10.1.2.0",
      "2001:db8:85a3:1:2:3:4:5, 2001:db8:85a3::",
      "2001:DB8::1, 2001:db8:0::",
      "::1, 0:0:0::",
      "::ffff:192.0.2.1, 0:0:0::",
      "fe80::1%eth0, fe80:0:0::",
      "256.1.1.1, NULL",
      "1.2.3, NULL",
      "example.com, NULL",
      "1:2:3:4:5:6:7:8:9, NULL",
      "1::2::3, NULL",
      "'', NULL",
  })
  void truncatesToNetworkPrefix(String raw, String expected) {
    assertThat(IpAddresses.reduce(raw, IpPolicy.TRUNCATE)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"203.0.113.77", "2001:db8::1"})
  void dropAndKeepPolicies(String raw) {
    assertThat(IpAddresses.reduce(raw, IpPolicy.DROP)).isNull();
    assertThat(IpAddresses.reduce(raw, IpPolicy.KEEP)).isEqualTo(raw);
  }
}
