"""A single-node Apache Kafka 4.x broker (KRaft, broker and controller in one JVM) for tests and `newswire up`.

There is no Docker here and no Kafka download: the broker's jars come from Maven Central through
`deploy/kafka/pom.xml` (resolved once into a cache outside the repository by `deploy/kafka/fetch-jars.sh`),
and the broker is a `java` child process in its own session. The data dir holds everything a later,
separate process needs to find it again (`newswire broker status|stop`): `broker.pid`, `bootstrap` and
`server.properties`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ctypes
import hashlib
import logging
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypedDict

from aiokafka.admin import AIOKafkaAdminClient
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..common.paths import package_path
from ..errors import PermanentError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
NODE_ID = 1
STAMP_NAME = ".newswire-pom.sha256"  # written by fetch-jars.sh next to the jars
PID_FILE = "broker.pid"
BOOTSTRAP_FILE = "bootstrap"
CONFIG_FILE = "server.properties"
STDOUT_FILE = "broker.out"
LOG_FILE = "server.log"  # written by log4j, see deploy/kafka/log4j2.properties
KRAFT_DIR = "kraft-data"
DEFAULT_JVM_OPTIONS = (
    "-Xms128m",
    "-Xmx512m",
    # Startup speed matters more than peak throughput for a local broker: C1 only, and no GC threads
    # competing for the two cores.
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    "-XX:-UsePerfData",
    "-Djava.awt.headless=true",
    "-Dlog4j2.disable.jmx=true",
)


class BrokerError(PermanentError, RuntimeError):
    """The local broker cannot be prepared, started or stopped; the message says what to do."""


class BrokerSettings(BaseSettings):
    """Where the local broker's jars, Java and JVM options come from.

    A single underscore after `KAFKA` (`NEWSWIRE_KAFKA_LIBS`, not `__`): these names predate the services'
    nested settings and `deploy/kafka/fetch-jars.sh` reads `NEWSWIRE_KAFKA_LIBS` too. An empty variable
    counts as unset.
    """

    model_config = SettingsConfigDict(
        env_prefix="NEWSWIRE_KAFKA_", env_ignore_empty=True, extra="ignore", validate_by_name=True
    )

    deploy_dir: Path = Field(
        default_factory=lambda: package_path("kafka-deploy"),
        description="deploy/kafka (pom.xml, fetch-jars.sh, log4j2.properties), shipped with the package",
    )
    libs: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "newswire" / "kafka-libs",
        description="the jar cache that fetch-jars.sh fills; outside the repository so that it survives a clean",
    )
    jvm_opts: str | None = Field(
        default=None,
        description="replaces DEFAULT_JVM_OPTIONS (shell-quoted), e.g. a bigger heap or full JIT for a long demo",
    )
    java_home: Path | None = Field(
        default=None,
        validation_alias="JAVA_HOME",
        description="the JDK whose bin/java runs the broker; unset: `java` on PATH",
    )

    @field_validator("deploy_dir", "libs", "java_home")
    @classmethod
    def _expand_home(cls, path: Path | None) -> Path | None:
        return path.expanduser() if path is not None else None

    def jvm_options(self) -> list[str]:
        return shlex.split(self.jvm_opts) if self.jvm_opts is not None else list(DEFAULT_JVM_OPTIONS)


class BrokerStatus(TypedDict):
    running: bool
    pid: int | None
    bootstrap: str | None
    data_dir: str


def default_data_dir() -> Path:
    return Path.cwd() / ".newswire" / "kafka"


def new_cluster_id(random_bytes: Callable[[], bytes] = lambda: uuid.uuid4().bytes) -> str:
    """Kafka's cluster id format: a UUID as 22 characters of unpadded base64url (no JVM start needed).

    Like Kafka's own `Uuid.randomUuid`, an id starting with '-' is drawn again: the storage tool's argument
    parser would read it as an option (1 run in 64 failed to format before this).
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(random_bytes()).decode("ascii").rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def ensure_jars(libs_dir: Path | None = None, settings: BrokerSettings | None = None) -> Path:
    """Return a directory holding the broker's jars, resolving them with Maven only when needed.

    An explicitly given directory that already holds a kafka_2.13 jar (a Kafka distribution's `libs/`, for
    instance) is used as it is; the configured cache (`settings.libs`) is checked against the pom's hash.
    """
    config = settings if settings is not None else BrokerSettings()
    deploy = config.deploy_dir
    explicit = libs_dir is not None
    libs = (libs_dir or config.libs).expanduser()
    if explicit and _has_kafka_jar(libs) and not (libs / STAMP_NAME).exists():
        return libs
    pom = deploy / "pom.xml"
    if not pom.exists():
        if _has_kafka_jar(libs):
            return libs  # no checkout to compare with; the cached jars are the best we have
        raise BrokerError(
            f"no Kafka jars in {libs} and no {pom} to resolve them from; run from a newswire checkout "
            "or point NEWSWIRE_KAFKA_LIBS at a directory of Kafka 4.x jars"
        )
    if _stamp_matches(libs, pom):
        return libs
    if shutil.which("mvn") is None:
        raise BrokerError(
            f"'mvn' (Apache Maven) is not on PATH; it is needed once to resolve the Kafka jars into {libs} "
            "(or point NEWSWIRE_KAFKA_LIBS at a directory of Kafka 4.x jars)"
        )
    log.info("resolving Kafka jars into %s (first run only)", libs)
    script = deploy / "fetch-jars.sh"
    result = subprocess.run(["bash", str(script), str(libs)], capture_output=True, text=True, check=False, timeout=900)
    if result.returncode != 0 or not _has_kafka_jar(libs):
        raise BrokerError(
            f"resolving the Kafka jars failed (exit {result.returncode}):\n{_tail_text(result.stderr, 30)}"
        )
    return libs


def _has_kafka_jar(libs: Path) -> bool:
    return libs.is_dir() and any(libs.glob("kafka_2.13-*.jar"))


def _stamp_matches(libs: Path, pom: Path) -> bool:
    stamp = libs / STAMP_NAME
    if not stamp.exists() or not _has_kafka_jar(libs):
        return False
    return stamp.read_text().strip() == hashlib.sha256(pom.read_bytes()).hexdigest()


def find_java(java_home: Path | None = None) -> str:
    if java_home is not None and (java_home / "bin" / "java").exists():
        return str(java_home / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise BrokerError("'java' is not on PATH (and JAVA_HOME is unset): Kafka 4.x needs a Java 17+ runtime")
    return java


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    # SO_REUSEADDR as the JVM sets it, so that a port in TIME_WAIT after a restart still counts as free.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def port_accepts(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def server_properties(data_dir: Path, port: int, controller_port: int) -> str:
    kraft = data_dir / KRAFT_DIR
    lines = {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        # A static voter set rather than `--standalone`'s dynamic quorum: the controller's address lives
        # in this file, not in the metadata log, so a restart on another port needs no quorum change.
        "controller.quorum.voters": f"{NODE_ID}@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(kraft),
        # Topics are created explicitly with settings' partitions and limits; a typo must not
        # silently create a topic with broker defaults.
        "auto.create.topics.enable": "false",
        "num.partitions": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        # 50 partitions (the default) costs seconds on the first consumer group; a laptop needs few.
        "offsets.topic.num.partitions": "8",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "4",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Tests start consumers one after another; the default 3 s delay would be paid by every group.
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "4",
        "num.recovery.threads.per.data.dir": "1",
        "log.retention.hours": "168",
        "log.segment.bytes": str(64 * 1024 * 1024),
    }
    return "".join(f"{key}={value}\n" for key, value in lines.items())


def _read_properties(path: Path) -> dict[str, str]:
    props: dict[str, str] = {}
    if not path.exists():
        return props
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            props[key.strip()] = value.strip()
    return props


def _previous_ports(data_dir: Path) -> tuple[int | None, int | None]:
    """Ports of the last run in this data dir, so that a restarted broker keeps its bootstrap address."""
    listeners = _read_properties(data_dir / CONFIG_FILE).get("listeners", "")
    ports: dict[str, int] = {}
    for listener in listeners.split(","):
        name, _, address = listener.partition("://")
        port_text = address.rpartition(":")[2]
        if port_text.isdigit():
            ports[name] = int(port_text)
    return ports.get("PLAINTEXT"), ports.get("CONTROLLER")


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _tail_file(path: Path, lines: int = 40) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16384))
            return _tail_text(handle.read().decode("utf-8", "replace"), lines)
    except OSError:
        return ""


def _pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (a broker started by this very process)."""
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError, IndexError):
        if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _is_our_broker(pid: int, config: Path) -> bool:
    """Guard against a recycled pid: the process must be a Kafka JVM started with this data dir's config."""
    if not _pid_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # no procfs (macOS): trust the pidfile
        return True
    try:
        args = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return b"kafka.Kafka" in args and str(config).encode() in args


def _read_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def _read_bootstrap(data_dir: Path) -> str | None:
    try:
        return (data_dir / BOOTSTRAP_FILE).read_text().strip() or None
    except OSError:
        return None


def _parent_death_signal_setter() -> Callable[[], None] | None:
    """A pre-exec hook that makes the broker get SIGTERM when this process dies, even by kill -9.

    libc is loaded here, in the parent: importing or loading anything between fork and exec can deadlock.
    """
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def set_signal() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return set_signal


async def _cluster_ready(bootstrap: str, timeout: float) -> bool:
    """A metadata request answers with our broker in it: the broker is registered and unfenced."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=max(500, int(timeout * 1000)))
    try:
        await asyncio.wait_for(admin.start(), timeout)
        cluster = await asyncio.wait_for(admin.describe_cluster(), timeout)
        return any(broker.get("node_id") == NODE_ID for broker in cluster.get("brokers", []))
    except Exception:  # any failure just means "not ready yet"
        return False
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


def probe_ready(bootstrap: str, timeout: float = 3.0) -> bool:
    """Synchronous readiness probe, usable from inside a running event loop (it runs in its own thread)."""
    outcome: list[bool] = []
    thread = threading.Thread(
        target=lambda: outcome.append(asyncio.run(_cluster_ready(bootstrap, timeout))),
        name="newswire-broker-probe",
        daemon=True,
    )
    thread.start()
    thread.join(timeout + 2.0)
    return bool(outcome and outcome[0])


class LocalBroker:
    """One KRaft broker+controller JVM on 127.0.0.1, its state in `data_dir`.

    `detached=True` is for `newswire broker start`: the broker outlives this process and is found again
    through the pid and bootstrap files. Otherwise the broker belongs to this object (and, when started
    from the main thread on Linux, dies with this process). `settings` defaults to the environment's;
    `libs_dir` and `jvm_options` override it.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        libs_dir: Path | None = None,
        *,
        detached: bool = False,
        jvm_options: Sequence[str] | None = None,
        settings: BrokerSettings | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.requested_port = port
        self.libs_dir = libs_dir
        self.detached = detached
        self.settings = settings if settings is not None else BrokerSettings()
        self.jvm_options = tuple(self.settings.jvm_options() if jvm_options is None else jvm_options)
        self._process: subprocess.Popen[bytes] | None = None
        self._bootstrap: str | None = None

    @property
    def config_path(self) -> Path:
        return self.data_dir / CONFIG_FILE

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_FILE

    @property
    def bootstrap(self) -> str:
        if self._bootstrap is None:
            raise BrokerError("the broker has not been started")
        return self._bootstrap

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else _read_pid(self.data_dir)

    def start(self, timeout: float = 20.0) -> str:
        """Start the broker and return its bootstrap address once it answers metadata requests.

        `timeout` covers formatting, JVM start and readiness, not the one-off Maven resolution.
        """
        existing = read_status(self.data_dir)
        if existing["running"]:
            raise BrokerError(
                f"a broker already runs in {self.data_dir} (pid {existing['pid']}, "
                f"bootstrap {existing['bootstrap']}); stop it first (`newswire broker stop`)"
            )
        port, controller_port = self._choose_ports()
        java = find_java(self.settings.java_home)
        libs = ensure_jars(self.libs_dir, self.settings)
        deadline = time.monotonic() + timeout
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(server_properties(self.data_dir, port, controller_port))
        classpath = f"{libs}{os.sep}*"
        if not (self.data_dir / KRAFT_DIR / "meta.properties").exists():
            self._format(java, classpath, deadline)
        self._launch(java, classpath)
        bootstrap = f"{HOST}:{port}"
        try:
            self._wait_ready(bootstrap, port, deadline, timeout)
        except BaseException:
            # Ctrl-C or a failure while waiting: leave no half-started broker behind.
            if self._process is not None and self._process.poll() is None:
                _terminate(self._process.pid, self._process, 5.0)
            self._process = None
            raise
        self._bootstrap = bootstrap
        (self.data_dir / BOOTSTRAP_FILE).write_text(bootstrap + "\n")
        return bootstrap

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (Kafka's clean shutdown: no log recovery on the next start), SIGKILL after `timeout`."""
        pid = self.pid
        if pid is not None and (self._process is not None or _is_our_broker(pid, self.config_path)):
            _terminate(pid, self._process, timeout)
        self._process = None
        self._bootstrap = None
        for name in (PID_FILE, BOOTSTRAP_FILE):
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / name).unlink()

    def status(self) -> BrokerStatus:
        if self._process is not None:
            running = self._process.poll() is None
            return BrokerStatus(
                running=running,
                pid=self._process.pid if running else None,
                bootstrap=self._bootstrap if running else None,
                data_dir=str(self.data_dir),
            )
        return read_status(self.data_dir)

    def __enter__(self) -> LocalBroker:
        if not self.status()["running"]:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _choose_ports(self) -> tuple[int, int]:
        previous_port, previous_controller = _previous_ports(self.data_dir)
        port = self.requested_port
        if port is None:
            port = previous_port if previous_port and port_is_free(previous_port) else free_port()
        elif not port_is_free(port):
            raise BrokerError(f"port {port} on {HOST} is in use")
        controller_port = previous_controller
        if controller_port is None or controller_port == port or not port_is_free(controller_port):
            controller_port = free_port()
            while controller_port == port:
                controller_port = free_port()
        return port, controller_port

    def _format(self, java: str, classpath: str, deadline: float) -> None:
        command = [
            java,
            *self.jvm_options,
            *self._log_options(),
            "-cp",
            classpath,
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            new_cluster_id(),
            "--config",
            str(self.config_path),
            "--ignore-formatted",
        ]
        try:
            result = subprocess.run(
                command,
                capture_output=True,
                text=True,
                check=False,
                timeout=max(1.0, deadline - time.monotonic()),
            )
        except subprocess.TimeoutExpired as exc:
            raise BrokerError(f"formatting the broker storage in {self.data_dir} timed out") from exc
        if result.returncode != 0:
            raise BrokerError(
                f"kafka.tools.StorageTool format failed (exit {result.returncode}):\n"
                f"{_tail_text(result.stdout + result.stderr, 30)}"
            )

    def _log_options(self) -> list[str]:
        options = [f"-Dkafka.logs.dir={self.data_dir}"]
        log4j_config = self.settings.deploy_dir / "log4j2.properties"
        if log4j_config.exists():
            options.append(f"-Dlog4j2.configurationFile={log4j_config}")
        return options

    def _launch(self, java: str, classpath: str) -> None:
        command = [
            java,
            *self.jvm_options,
            *self._log_options(),
            "-cp",
            classpath,
            "kafka.Kafka",
            str(self.config_path),
        ]
        owned_by_us = (
            not self.detached
            and sys.platform.startswith("linux")
            and threading.current_thread() is threading.main_thread()
        )
        # Stdout catches what happens before log4j is up (a wrong Java version, a missing class).
        with (self.data_dir / STDOUT_FILE).open("ab") as out:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
                preexec_fn=_parent_death_signal_setter() if owned_by_us else None,
            )
        (self.data_dir / PID_FILE).write_text(f"{self._process.pid}\n")

    def _wait_ready(self, bootstrap: str, port: int, deadline: float, timeout: float) -> None:
        process = self._process
        assert process is not None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._fail(f"the Kafka broker exited with code {process.returncode} during start-up")
            probe_timeout = min(3.0, max(0.5, deadline - time.monotonic()))
            if port_accepts(port) and probe_ready(bootstrap, timeout=probe_timeout):
                return
            time.sleep(0.1)
        self._fail(f"the Kafka broker was not ready on {bootstrap} within {timeout:.0f} s")

    def _fail(self, reason: str) -> None:
        details = []
        for path in (self.data_dir / STDOUT_FILE, self.log_path):
            tail = _tail_file(path)
            if tail:
                details.append(f"--- {path} (tail) ---\n{tail}")
        if self._process is not None and self._process.poll() is None:
            _terminate(self._process.pid, self._process, 5.0)
        self._process = None
        with contextlib.suppress(FileNotFoundError):
            (self.data_dir / PID_FILE).unlink()
        raise BrokerError("\n".join([reason, *details]))


def _terminate(pid: int, process: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Signal the broker's whole session (it is the group leader), then wait for the JVM to exit."""

    def exited(wait_s: float) -> bool:
        if process is not None:
            try:
                process.wait(wait_s)
            except subprocess.TimeoutExpired:
                return False
            return True
        end = time.monotonic() + wait_s
        while time.monotonic() < end:
            if not _pid_alive(pid):
                return True
            time.sleep(0.05)
        return not _pid_alive(pid)

    for sig, wait_s in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        if exited(wait_s):
            return
    raise BrokerError(f"the Kafka broker (pid {pid}) did not exit after SIGKILL")


def read_status(data_dir: Path | None = None) -> BrokerStatus:
    """What the pid and bootstrap files of `data_dir` say, checked against the live process table."""
    directory = Path(data_dir or default_data_dir()).resolve()
    pid = _read_pid(directory)
    running = pid is not None and _is_our_broker(pid, directory / CONFIG_FILE)
    return BrokerStatus(
        running=running,
        pid=pid if running else None,
        bootstrap=_read_bootstrap(directory) if running else None,
        data_dir=str(directory),
    )


def start_detached(
    data_dir: Path | None = None,
    port: int | None = None,
    libs_dir: Path | None = None,
    timeout: float = 20.0,
    settings: BrokerSettings | None = None,
) -> str:
    """Start a broker that outlives this process (`newswire broker start`); idempotent."""
    directory = Path(data_dir or default_data_dir())
    status = read_status(directory)
    if status["running"] and status["bootstrap"]:
        return status["bootstrap"]
    return LocalBroker(directory, port=port, libs_dir=libs_dir, detached=True, settings=settings).start(timeout)


def stop_detached(data_dir: Path | None = None, timeout: float = 15.0) -> bool:
    """Stop the broker of `data_dir`; False when none was running."""
    directory = Path(data_dir or default_data_dir())
    running = read_status(directory)["running"]
    LocalBroker(directory, detached=True).stop(timeout)
    return running


def run_on_fresh_broker(main: Callable[[str], Coroutine[Any, Any, int]], prefix: str = "newswire-broker-") -> int:
    """Run `main(bootstrap)` against a broker of its own in a temporary directory, so that a reproduction
    script starts from an empty cluster and leaves nothing behind; returns main's exit status."""
    with tempfile.TemporaryDirectory(prefix=prefix) as data_dir:
        broker = LocalBroker(Path(data_dir))
        bootstrap = broker.start(timeout=60)
        try:
            return asyncio.run(main(bootstrap))
        finally:
            broker.stop()
