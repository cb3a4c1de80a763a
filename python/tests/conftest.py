"""Fixtures shared by the Python-side tests: one standalone cluster per test session, stopped at the
end also when a test fails, and one small generated landing zone that every test copies."""
from __future__ import annotations

from pathlib import Path

import pytest

from tarmo_runtime import StandaloneCluster, submit

FIRST_DAY = "2026-11-27"
SECOND_DAY = "2026-11-28"


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    standalone = StandaloneCluster(tmp_path_factory.mktemp("standalone")).start()
    try:
        yield standalone
    finally:
        standalone.stop()


@pytest.fixture(scope="session")
def landing(tmp_path_factory) -> Path:
    """A lake holding only landing files: two days of 200 generated customers, made in the tests' own
    local Spark (the JVM that reads the lakes afterwards, so no JVM is started for it alone)."""
    from lake_tables import local_spark, run_in_process
    lake = tmp_path_factory.mktemp("generated") / "lake"
    run_in_process(local_spark(), "generate", "--lake", str(lake), "--date", SECOND_DAY, "--days", "2",
                   "--customers", "200", "--seed", "7").check()
    return lake


@pytest.fixture(scope="session")
def test_config(tmp_path_factory) -> Path:
    """What a cluster run sets (conf/cluster.conf) minus the S3 lake, sized for tiny tables."""
    from tarmo_runtime import REPO
    config = tmp_path_factory.mktemp("conf") / "test.conf"
    config.write_text(
        'include file("%s")\n' % (REPO / "conf" / "cluster.conf")
        + 'tarmo.spark.shuffle-partitions = 4\n'
        + 'tarmo.segments.file = "%s"\n' % (REPO / "conf" / "segments.conf"))
    return config


@pytest.fixture(scope="session")
def demo_lake(tmp_path_factory, test_config) -> Path:
    """A lake as `demo` leaves it, for what analysts and other engines read: TARMO_DEMO_LAKE when set
    (.ci/run sets it to the lake its own demo built), else three days of 300 customers made here."""
    import os
    given = os.environ.get("TARMO_DEMO_LAKE")
    if given:
        return Path(given)
    lake = tmp_path_factory.mktemp("demo") / "lake"
    submit("local[2]", "demo", "--lake", str(lake), "--config", str(test_config), "--days", "3",
           "--customers", "300", timeout=2400).check()
    return lake
