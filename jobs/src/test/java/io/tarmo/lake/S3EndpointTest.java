package io.tarmo.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.testing.S3Proxy;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** The S3 endpoint a lake names in its errors, and the quick look that fails in seconds, not minutes. */
class S3EndpointTest {

  private static final String ACCESS_KEY = "AKIAPROBETESTKEY0001";
  private static final String SECRET_KEY = "probe-secret-do-not-print";

  @Test
  void aBucketsOwnEndpointWinsOverTheBaseOne() {
    Configuration hadoop = new Configuration(false);
    hadoop.set("fs.s3a.endpoint", "https://s3.example.net");
    assertThat(S3Endpoint.describe(hadoop, "lake")).isEqualTo("https://s3.example.net");
    hadoop.set("fs.s3a.bucket.lake.endpoint", "http://10.0.0.5:9000");
    assertThat(S3Endpoint.describe(hadoop, "lake")).isEqualTo("http://10.0.0.5:9000");
    assertThat(S3Endpoint.describe(hadoop, "other")).isEqualTo("https://s3.example.net");
  }

  @Test
  void withoutAnEndpointAwsIsNamedWithItsRegion() {
    Configuration hadoop = new Configuration(false);
    assertThat(S3Endpoint.describe(hadoop, "lake")).isEqualTo("AWS S3 (default endpoint)");
    hadoop.set("fs.s3a.endpoint.region", "eu-central-1");
    assertThat(S3Endpoint.describe(hadoop, "lake")).isEqualTo("AWS S3 in eu-central-1");
  }

  @Test
  void userInformationInAnEndpointIsNeverShown() {
    Configuration hadoop = new Configuration(false);
    hadoop.set("fs.s3a.endpoint", "http://" + ACCESS_KEY + ":" + SECRET_KEY + "@127.0.0.1:9000");
    assertThat(S3Endpoint.describe(hadoop, "lake")).isEqualTo("http://127.0.0.1:9000");
  }

  @Test
  void aClosedPortFailsWithinSecondsNamingTheEndpointButNotTheKeys() throws Exception {
    int port = S3Proxy.freePort();
    Configuration hadoop = new Configuration();
    hadoop.set("fs.s3a.endpoint", "http://127.0.0.1:" + port);
    hadoop.set("fs.s3a.path.style.access", "true");
    hadoop.set("fs.s3a.connection.ssl.enabled", "false");
    hadoop.set("fs.s3a.endpoint.region", "us-east-1");
    hadoop.set("fs.s3a.access.key", ACCESS_KEY);
    hadoop.set("fs.s3a.secret.key", SECRET_KEY);
    hadoop.set("fs.s3a.bucket.lake.retry.limit", "7");
    long start = System.nanoTime();
    assertThatThrownBy(() -> Lake.at("s3a://lake/prod").checkReachable(hadoop))
        .isInstanceOfSatisfying(TarmoException.class, e -> {
          assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE);
          assertThat(e.getMessage()).isEqualTo("Cannot reach the lake's S3 endpoint http://127.0.0.1:" + port
              + ": ConnectException (s3a://lake/prod)");
        });
    assertThat((System.nanoTime() - start) / 1e9).as("seconds to fail").isLessThan(20);
  }

  @Test
  void aLocalLakeIsNotLookedAt() {
    Lake.at("/nonexistent/lake").checkReachable(new Configuration(false));
    assertThat(S3Endpoint.isS3(new Path("file:/tmp/lake"))).isFalse();
  }
}
