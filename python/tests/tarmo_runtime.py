"""The parts the Python-side tests run for real: Tarmo's cluster jar, spark-submit from the pinned
PySpark distribution, and a Spark standalone cluster (a master and workers in separate JVMs on
127.0.0.1), started the way a data engineer starts one from that distribution."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyspark
from pyspark.find_spark_home import _find_spark_home

REPO = Path(__file__).resolve().parents[2]
SPARK_HOME = Path(_find_spark_home())
# The key of suppression_list's HMACs in every test run of `erase` (test only).
PSEUDONYM_KEY = "pytest-only-pseudonym-key-0123456789abcdef"


# JVM options for the tests' short-lived JVMs that run one step or a few queries on a tiny lake (the
# Airflow tasks, the notebooks' kernels, the cluster's executors): C1 alone compiles for less than C2's
# compiling would cost them (docs/ci.md). A whole night in one JVM was slower with it, so the tests' own
# JVM and the cluster's drivers keep HotSpot's default, as real nights should.
SHORT_JVM_OPTIONS = "-XX:TieredStopAtLevel=1"


def tarmo_jar() -> Path:
    """The jar `mvn -B package` builds (CONTRACT section 7); the tests never build it themselves."""
    jars = sorted((REPO / "jobs" / "target").glob("tarmo-jobs-*-spark.jar"))
    if not jars:
        raise RuntimeError("jobs/target/tarmo-jobs-<version>-spark.jar is missing: run `mvn -B package` first")
    return jars[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPARK_HOME=str(SPARK_HOME),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_SCALA_VERSION="2.13",
        TZ="UTC",
        PATH=f"{SPARK_HOME / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    env.update(extra)
    return env


@dataclass
class Submitted:
    args: list[str]
    returncode: int
    out: str
    err: str

    def check(self) -> "Submitted":
        assert self.returncode == 0, f"{' '.join(self.args[-6:])} exited {self.returncode}:\n{self.err[-4000:]}"
        return self


def submit(master: str, *tarmo_args: str, env: dict[str, str] | None = None, timeout: int = 900,
           spark_conf: dict[str, str] | None = None) -> Submitted:
    """`spark-submit --class io.tarmo.cli.Main <jar> <command> ...` against `master`, as a data engineer
    runs it; Spark's own INFO logging stays out of the way (WARN), Tarmo's summary lines stay on stdout.
    `spark_conf` adds `--conf key=value` settings."""
    jar = tarmo_jar()
    confs = [arg for key, value in (spark_conf or {}).items() for arg in ("--conf", f"{key}={value}")]
    args = [
        str(SPARK_HOME / "bin" / "spark-submit"),
        "--master", master,
        "--class", "io.tarmo.cli.Main",
        "--driver-memory", "1g",
        # The jar's own quiet log configuration (README, "Running on a cluster").
        "--driver-java-options", f"-Dlog4j2.configurationFile=jar:{jar.as_uri()}!/log4j2.properties",
        "--conf", "spark.executor.memory=1g",
        *confs,
        str(jar),
        *tarmo_args,
    ]
    done = subprocess.run(args, env=env or spark_env(), capture_output=True, text=True, timeout=timeout)
    return Submitted(args, done.returncode, done.stdout, done.stderr)


@dataclass
class StandaloneCluster:
    """A Spark standalone master and `workers` workers of one core each, every one its own JVM."""

    workdir: Path
    workers: int = 2
    worker_memory: str = "2g"
    port: int = field(default_factory=free_port)
    ui_port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> "StandaloneCluster":
        try:
            self._launch("master", "org.apache.spark.deploy.master.Master",
                         "--host", "127.0.0.1", "--port", str(self.port), "--webui-port", str(self.ui_port))
            for n in range(self.workers):
                self._launch(f"worker-{n}", "org.apache.spark.deploy.worker.Worker",
                             "--host", "127.0.0.1", "--cores", "1", "--memory", self.worker_memory,
                             "--webui-port", str(free_port()), "--work-dir", str(self.workdir / f"work-{n}"),
                             self.url)
            self._await_workers(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def status(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=5) as response:
            return json.load(response)

    def alive_workers(self) -> list[dict]:
        return [w for w in self.status().get("workers", []) if w.get("state") == "ALIVE"]

    def stop(self) -> None:
        """Stops every JVM it started, workers first; each runs in its own process group."""
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _launch(self, name: str, main_class: str, *args: str) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / f"{name}.log", "w")
        command = [str(SPARK_HOME / "bin" / "spark-class"), main_class, *args]
        env = spark_env(SPARK_WORKER_DIR=str(self.workdir / "work"), SPARK_LOG_DIR=str(self.workdir))
        self.processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def _await_workers(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"a cluster JVM exited with {process.returncode}:\n{self.log('master')[-2000:]}")
            try:
                if len(self.alive_workers()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(1)
        raise TimeoutError(f"{self.workers} workers did not register with {self.url} in {timeout:.0f} s")


def copy_landing(source_lake: Path, target_lake: Path) -> None:
    shutil.copytree(source_lake / "landing", target_lake / "landing")
