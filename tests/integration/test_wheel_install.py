"""`pip install newswire` from a built wheel works outside the checkout: the topic contract and the trained
heads travel as package data and are found through importlib.resources, not the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = "Security forces shot dead 23 people in the city of Homs on Tuesday, activists said."


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_virtualenv_extracts_and_checks_its_schemas(tmp_path: Path) -> None:
    # Built from a copy of the tracked tree, so that nothing stale in the checkout's build/ gets in.
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    source = tmp_path / "src"
    for name in tracked.decode().split("\0"):
        if name and (ROOT / name).exists():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            if (ROOT / name).is_symlink():
                (source / name).symlink_to(os.readlink(ROOT / name))
            else:
                shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), "."],
        check=True,
        cwd=source,
    )
    (wheel,) = wheels.glob("newswire-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies come from this test run's environment (a plain path entry: its .pth files, such
    # as the editable install of the checkout, are not processed), so the test needs no network.
    (Path(purelib) / "newswire-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        check=True,
    )
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": ""}
    env.pop("NEWSWIRE_DATA_DIR", None)

    def newswire(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / "newswire"), *args],
            cwd=workdir,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
        )

    where = subprocess.run(
        [str(python), "-c", "import newswire; print(newswire.__file__)"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    checked = newswire("schemas", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    extracted = newswire("extract", "-", stdin=orjson.dumps({"id": "homs", "text": SEED}).decode() + "\n")
    assert extracted.returncode == 0, extracted.stderr
    events = [orjson.loads(line) for line in extracted.stdout.splitlines() if line.strip()]
    assert [(e["input_id"], e["event_type"]) for e in events] == [("homs", "ASSAULT")], extracted.stdout
    assert events[0]["counts"]["killed"]["value"] == 23
