"""The cluster's overhead: the 3-day nightly of .ci/run's demo (1,500 customers) run with
spark-submit on a Spark standalone cluster of two one-core workers, next to the same nights with
spark-submit --master local[2], in the same run, alternating which goes first. Prints a Markdown
table of wall seconds per night and the cluster/local ratio, then where the time goes: each
spark-submit writes a Spark event log, read back here into the same phases for both masters
(process start to SparkContext, waiting for executors, inside Spark jobs, driver work between jobs,
shutdown) and the tasks' own totals (count, run time, deserialisation, scheduler delay, shuffle
fetch wait).

  .venv/bin/python bench/cluster.py [PAIRS]     (bin/python-env makes .venv; needs the cluster jar)
"""
from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "tests"))
from tarmo_runtime import REPO, StandaloneCluster, submit  # noqa: E402

DAYS = ["2026-11-26", "2026-11-27", "2026-11-28"]


PHASES = ["to SparkContext", "waiting for executors", "inside Spark jobs", "driver between jobs", "shutdown"]
TASK_TOTALS = ["tasks", "task time", "run", "deserialise", "scheduler delay", "shuffle fetch wait"]


def nights(master: str, lake: Path, config: Path, events: Path) -> tuple[list[float], dict[str, float]]:
    """Wall seconds per night, and the nights' summed breakdown from their event logs."""
    seconds, breakdown = [], dict.fromkeys(PHASES + TASK_TOTALS, 0.0)
    for day in DAYS:
        log_dir = events / day
        log_dir.mkdir(parents=True)
        conf = {"spark.eventLog.enabled": "true", "spark.eventLog.dir": log_dir.as_uri(),
                "spark.eventLog.compress": "false", "spark.eventLog.rolling.enabled": "false"}
        started_epoch, started = time.time(), time.monotonic()
        submit(master, "nightly", "--lake", str(lake), "--config", str(config), "--date", day,
               spark_conf=conf).check()
        seconds.append(time.monotonic() - started)
        (log,) = log_dir.iterdir()
        for key, value in where_time_goes(log, started_epoch, started_epoch + seconds[-1]).items():
            breakdown[key] += value
    return seconds, breakdown


def where_time_goes(event_log: Path, process_start: float, process_end: float) -> dict[str, float]:
    """One spark-submit's wall time split into PHASES (seconds) plus its TASK_TOTALS."""
    app_start = app_end = first_executor = None
    jobs: dict[int, list[float]] = {}
    totals = dict.fromkeys(TASK_TOTALS, 0.0)
    for line in event_log.open():
        event = json.loads(line)
        kind = event["Event"]
        if kind == "SparkListenerApplicationStart":
            app_start = event["Timestamp"] / 1000
        elif kind == "SparkListenerApplicationEnd":
            app_end = event["Timestamp"] / 1000
        elif kind == "SparkListenerExecutorAdded" and event["Executor ID"] != "driver":
            first_executor = min(first_executor or float("inf"), event["Timestamp"] / 1000)
        elif kind == "SparkListenerJobStart":
            jobs[event["Job ID"]] = [event["Submission Time"] / 1000, None]
        elif kind == "SparkListenerJobEnd":
            jobs[event["Job ID"]][1] = event["Completion Time"] / 1000
        elif kind == "SparkListenerTaskEnd" and event.get("Task Metrics"):
            info, metrics = event["Task Info"], event["Task Metrics"]
            duration = (info["Finish Time"] - info["Launch Time"]) / 1000
            run = metrics["Executor Run Time"] / 1000
            deserialise = metrics["Executor Deserialize Time"] / 1000
            serialise = metrics["Result Serialization Time"] / 1000
            getting = (info["Finish Time"] - info["Getting Result Time"]) / 1000 if info["Getting Result Time"] else 0
            totals["tasks"] += 1
            totals["task time"] += duration
            totals["run"] += run
            totals["deserialise"] += deserialise
            totals["scheduler delay"] += max(0.0, duration - run - deserialise - serialise - getting)
            totals["shuffle fetch wait"] += metrics["Shuffle Read Metrics"]["Fetch Wait Time"] / 1000
    in_jobs = union_length([(start, end) for start, end in jobs.values() if end is not None])
    ready = max(app_start, first_executor) if first_executor else app_start
    return {
        "to SparkContext": app_start - process_start,
        "waiting for executors": ready - app_start,
        "inside Spark jobs": in_jobs,
        "driver between jobs": (app_end - ready) - in_jobs,
        "shutdown": process_end - app_end,
        **totals,
    }


def union_length(intervals: list[tuple[float, float]]) -> float:
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


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
                folder = f"{name.replace('[', '').replace(']', '')}-{pair}"  # no glob characters in a lake path
                lake = work / folder
                shutil.copytree(source / "landing", lake / "landing")
                times[name] = nights(master, lake, config, work / "events" / folder)
                shutil.rmtree(lake)
            rows.append(times)
            # Each pair as it comes, so a stopped run keeps what it measured.
            print(json.dumps({"pair": pair + 1, **times}), file=sys.stderr, flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(rows)


def report(rows: list[dict[str, tuple[list[float], dict[str, float]]]]) -> None:
    """Markdown tables: wall seconds per pair, then the median breakdown of each side."""
    print("| pair | local[2] nights (s) | cluster nights (s) | local total | cluster total | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    ratios = []
    for n, times in enumerate(rows, 1):
        local_nights, cluster_nights = times["local[2]"][0], times["cluster"][0]
        local, remote = sum(local_nights), sum(cluster_nights)
        ratios.append(remote / local)
        print(f"| {n} | {' / '.join(f'{s:.0f}' for s in local_nights)} | "
              f"{' / '.join(f'{s:.0f}' for s in cluster_nights)} | {local:.0f} | {remote:.0f} | {remote / local:.2f}× |")
    print(f"\nmedian ratio {statistics.median(ratios):.2f}× over {len(ratios)} pair(s)")
    print("\nWhere the time goes: medians over the pairs of the 3 nights' sums (seconds; tasks: a count)\n")
    print("| | local[2] | cluster | cluster − local |")
    print("| --- | --- | --- | --- |")
    for key in PHASES + TASK_TOTALS:
        local = statistics.median(times["local[2]"][1][key] for times in rows)
        remote = statistics.median(times["cluster"][1][key] for times in rows)
        print(f"| {key} | {local:.0f} | {remote:.0f} | {remote - local:+.0f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
