from __future__ import annotations

import gzip
import io
from pathlib import Path

import orjson
import pytest

from newswire.cli import build_parser, main
from newswire.cli.documents import _inputs
from newswire.cli.tail import event_summary as _event_summary


def test_inputs_read_text_html_gzip_and_json_lines(tmp_path: Path) -> None:
    text = tmp_path / "report.txt"
    text.write_text("Four people were killed in Homs on Tuesday.")
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(b"<html><body><p>Hello</p></body></html>"))
    stdin = io.StringIO('{"id": "a", "text": "x"}\n\n{"id": "b", "html": "<p>y</p>", "url": "https://e.org/b"}\n')
    items = list(_inputs([str(text), str(page), "-"], stdin))
    assert items[0] == {"id": str(text), "text": "Four people were killed in Homs on Tuesday."}
    assert items[1]["html"].startswith("<html>")
    assert [item["id"] for item in items[2:]] == ["a", "b"]
    assert items[3]["url"] == "https://e.org/b"


@pytest.mark.parametrize(
    ("line", "message"),
    [("{nope", "stdin line 1: not JSON"), ('{"text": "x"}', 'needs "id" and "text" or "html"')],
)
def test_bad_stdin_lines_are_clear_errors(line: str, message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        list(_inputs(["-"], io.StringIO(line + "\n")))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no such file"):
        list(_inputs([str(tmp_path / "absent.txt")], io.StringIO()))


def test_event_summary_names_the_essentials() -> None:
    summary = _event_summary(
        {
            "event_type": "ASSAULT",
            "modality": "reported",
            "actor": {"name": "security forces"},
            "location": {"name": "Daraa", "country_code": "SY"},
            "event_date": {"date": "2011-11-15"},
            "counts": {"killed": {"value": 23}, "injured": None},
            "evidence": [{"sentence": "Twenty-three people were shot dead by security forces."}],
        }
    )
    assert summary.startswith("ASSAULT (reported) actor=security forces where=Daraa/SY when=2011-11-15 killed=23")
    assert "Twenty-three people" in summary


def test_every_documented_command_parses() -> None:
    parser = build_parser()
    for argv in (
        ["fetcher"],
        ["cleaner"],
        ["extractor"],
        ["up", "--demo", "--duration", "5"],
        ["extract", "-", "--published", "2011-11-15"],
        ["clean", "page.html"],
        ["tail", "events", "--from-beginning"],
        ["broker", "status"],
        ["topics", "list"],
        ["schemas", "check"],
    ):
        assert parser.parse_args(argv).command == argv[0]


def test_commands_without_a_broker_fail_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.setenv("NEWSWIRE_DATA_DIR", str(tmp_path))
    assert main(["tail", "events"]) == 2
    err = capsys.readouterr().err
    assert "NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS is not set" in err
    assert "Traceback" not in err


def test_an_unreadable_input_is_reported_and_the_rest_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "fake.html.gz"
    fake.write_bytes(b"<html>not gzip at all</html>")
    good = tmp_path / "good.html"
    good.write_text("<html><head><title>T</title></head><body><article>" + "<p>Word " * 40 + "</article></body></html>")
    assert main(["clean", str(fake), str(good)]) == 1
    lines = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["id"] == str(fake)
    assert lines[0]["error"].startswith("unreadable:")
    assert lines[1]["id"] == str(good)
    assert "error" not in lines[1]


@pytest.mark.parametrize("command", ["feeds", "train", "export-onnx", "demo-site"])
def test_delegated_commands_answer_help_with_their_own_parser(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main([command, "--help"])
    except SystemExit as stop:  # argparse's own way out; `feeds` turns it into a return code
        code = stop.code  # type: ignore[assignment]
    assert code == 0
    assert capsys.readouterr().out.startswith(f"usage: newswire {command}")


def test_up_waits_on_each_service_at_its_own_default_port() -> None:
    from newswire.cleaner.app import DEFAULT_PORT as CLEANER_PORT
    from newswire.cli.service import _service_factory
    from newswire.common.services import SERVICE_NAMES, default_port
    from newswire.correlator.app import DEFAULT_PORT as CORRELATOR_PORT
    from newswire.extractor.app import DEFAULT_PORT as EXTRACTOR_PORT
    from newswire.fetcher.app import DEFAULT_PORT as FETCHER_PORT
    from newswire.fetcher.cli import DEFAULT_STATUS_PORT

    ports = {
        "fetcher": FETCHER_PORT,
        "cleaner": CLEANER_PORT,
        "extractor": EXTRACTOR_PORT,
        "correlator": CORRELATOR_PORT,
    }
    assert {name: default_port(name) for name in SERVICE_NAMES} == ports
    assert len(set(ports.values())) == len(ports) and DEFAULT_STATUS_PORT == FETCHER_PORT
    for name in SERVICE_NAMES:  # the registry's names lead to each service's settings and factory
        settings_class, create_app = _service_factory(name)
        assert settings_class.__module__ == f"newswire.{name}.settings" and create_app.__name__ == "create_app"
