"""The local broker's preparation, without starting a JVM: clear errors and a sound configuration."""

from __future__ import annotations

import base64
import shutil
import socket
from pathlib import Path

import pytest

from newswire.devtools.broker import (
    DEFAULT_JVM_OPTIONS,
    BrokerError,
    BrokerSettings,
    LocalBroker,
    ensure_jars,
    new_cluster_id,
    read_status,
    server_properties,
)


def _path_with_only(tmp_path: Path, *tools: str) -> str:
    """A PATH holding links to just these tools (and bash, which the jar script needs)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in (*tools, "bash"):
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not installed here")
        (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def test_missing_java_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with_only(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(BrokerError, match="'java' is not on PATH"):
        LocalBroker(tmp_path / "kafka").start()


def test_missing_maven_is_a_clear_error_when_jars_must_be_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _path_with_only(tmp_path, "java"))
    with pytest.raises(BrokerError, match=r"'mvn' .* is not on PATH"):
        ensure_jars(tmp_path / "empty-libs")


def test_a_directory_of_kafka_jars_is_used_without_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with_only(tmp_path))
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "kafka_2.13-4.4.0.jar").write_bytes(b"")
    assert ensure_jars(libs) == libs


def test_cluster_id_is_a_base64url_uuid() -> None:
    cluster_id = new_cluster_id()
    assert len(cluster_id) == 22
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
    assert cluster_id != new_cluster_id()


def test_cluster_id_never_starts_with_a_dash_that_the_storage_tool_reads_as_an_option() -> None:
    draws = iter([b"\xf8" + bytes(15), b"\x00" * 16])
    assert new_cluster_id(lambda: next(draws)) == "AAAAAAAAAAAAAAAAAAAAAA"


def test_server_properties_single_node_kraft_on_loopback(tmp_path: Path) -> None:
    props = dict(line.split("=", 1) for line in server_properties(tmp_path, 19092, 19093).splitlines())
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["auto.create.topics.enable"] == "false"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert Path(props["log.dirs"]).parent == tmp_path


def test_status_of_a_dir_without_broker_and_of_a_stale_pidfile(tmp_path: Path) -> None:
    assert not read_status(tmp_path)["running"]
    (tmp_path / "broker.pid").write_text("1\n")  # pid 1 exists but is not our Kafka JVM
    (tmp_path / "bootstrap").write_text("127.0.0.1:1\n")
    assert read_status(tmp_path) == {"running": False, "pid": None, "bootstrap": None, "data_dir": str(tmp_path)}


def test_a_port_in_use_is_refused(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(BrokerError, match=rf"port {port} .* in use"):
            LocalBroker(tmp_path, port=port).start()


def test_broker_settings_read_the_launcher_variables_and_ignore_the_services_nested_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWIRE_KAFKA_LIBS", str(tmp_path / "libs"))
    monkeypatch.setenv("NEWSWIRE_KAFKA_DEPLOY_DIR", str(tmp_path / "deploy"))
    monkeypatch.setenv("NEWSWIRE_KAFKA_JVM_OPTS", "-Xmx2g '-Dnewswire.note=two words'")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    monkeypatch.setenv("NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    settings = BrokerSettings()
    assert settings.libs == tmp_path / "libs"
    assert settings.deploy_dir == tmp_path / "deploy"
    assert settings.java_home == tmp_path / "jdk"
    assert settings.jvm_options() == ["-Xmx2g", "-Dnewswire.note=two words"]


def test_unset_or_empty_launcher_variables_take_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEWSWIRE_KAFKA_LIBS", "NEWSWIRE_KAFKA_DEPLOY_DIR", "JAVA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEWSWIRE_KAFKA_JVM_OPTS", "")
    settings = BrokerSettings()
    assert settings.libs == Path.home() / ".cache" / "newswire" / "kafka-libs"
    assert (settings.deploy_dir / "pom.xml").is_file()
    assert settings.java_home is None
    assert settings.jvm_options() == list(DEFAULT_JVM_OPTIONS)


def test_launcher_variables_reach_the_java_command_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in `java` records its arguments; it exits at once, so the start fails after both commands."""
    jdk_bin = tmp_path / "jdk" / "bin"
    jdk_bin.mkdir(parents=True)
    calls = tmp_path / "java-calls"
    java = jdk_bin / "java"
    java.write_text(f'#!/bin/sh\nfor arg in "$@"; do printf "%s\\n" "$arg"; done >> {calls}\necho --- >> {calls}\n')
    java.chmod(0o755)
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "kafka_2.13-4.4.0.jar").write_bytes(b"")
    deploy = tmp_path / "deploy"  # no pom.xml: the jars in NEWSWIRE_KAFKA_LIBS are used as they are
    deploy.mkdir()
    (deploy / "log4j2.properties").write_text("")
    monkeypatch.setenv("PATH", _path_with_only(tmp_path))
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    monkeypatch.setenv("NEWSWIRE_KAFKA_LIBS", str(libs))
    monkeypatch.setenv("NEWSWIRE_KAFKA_DEPLOY_DIR", str(deploy))
    monkeypatch.setenv("NEWSWIRE_KAFKA_JVM_OPTS", "-Xmx64m '-Dnewswire.note=two words'")

    with pytest.raises(BrokerError, match="exited with code 0 during start-up"):
        LocalBroker(tmp_path / "kafka").start()

    commands = [call.splitlines() for call in calls.read_text().split("---\n") if call]
    assert [command[command.index("-cp") + 2] for command in commands] == ["kafka.tools.StorageTool", "kafka.Kafka"]
    for command in commands:
        assert command[:2] == ["-Xmx64m", "-Dnewswire.note=two words"]
        assert not set(DEFAULT_JVM_OPTIONS) & set(command)
        assert f"-Dlog4j2.configurationFile={deploy / 'log4j2.properties'}" in command
        assert command[command.index("-cp") + 1] == f"{libs}/*"


def test_settings_given_to_the_broker_win_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_KAFKA_JVM_OPTS", "-Xmx64m")
    assert LocalBroker(tmp_path).jvm_options == ("-Xmx64m",)
    chosen = BrokerSettings(jvm_opts="-Xmx1g -XX:+UseG1GC")
    assert LocalBroker(tmp_path, settings=chosen).jvm_options == ("-Xmx1g", "-XX:+UseG1GC")
    assert LocalBroker(tmp_path, settings=chosen, jvm_options=["-Xmx8m"]).jvm_options == ("-Xmx8m",)
