"""Install torch into the running interpreter's environment with the least disk it can.

The CPU wheels (download.pytorch.org) are tried first. Where that index cannot be reached, only
PyPI's CUDA build is left: about 3.5 GB of wheels that unpack to about 5.3 GB. A plain
`pip install torch` holds every downloaded wheel until the last one is installed (8.4 GB at its
peak, measured here), and a CI machine with less free disk failed on it. Here the resolution is
done once from metadata alone (`--dry-run --report`), then each large package is installed on its
own without cache, so the peak is the installed size plus one wheel (5.5 GB, measured here).
Leaving out the GPU-only packages does not work: torch's libraries link against the CUDA ones,
and a later `pip install` of anything that needs torch brings back any declared dependency of
torch that is missing.

Usage: python deploy/install_torch.py [torch requirement, default "torch"]
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# One pip call each, so that no two of these wheels sit on disk at once.
LARGE_PREFIXES = ("torch", "triton", "nvidia-", "cuda-")


def pip(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *arguments]
    return subprocess.run(command, text=True, capture_output=True, check=False)


def install_from_cpu_index(requirement: str) -> bool:
    result = pip(
        "install", "-q", "--no-cache-dir", "--retries", "0", "--timeout", "15",
        "--index-url", CPU_INDEX, requirement,
    )  # fmt: skip
    return result.returncode == 0


def resolve(requirement: str) -> list[tuple[str, str]]:
    """(name, download URL) of every package a fresh `pip install requirement` would bring."""
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "report.json"
        result = pip(
            "install", "--dry-run", "--ignore-installed", "--no-cache-dir", "-q",
            "--report", str(report_path), requirement,
        )  # fmt: skip
        if result.returncode != 0:
            raise SystemExit(f"cannot resolve {requirement}: {result.stderr.strip()}")
        report = json.loads(report_path.read_text())
    return [(item["metadata"]["name"].lower(), item["download_info"]["url"]) for item in report["install"]]


def install_one_at_a_time(packages: list[tuple[str, str]]) -> None:
    large = [url for name, url in packages if name.startswith(LARGE_PREFIXES)]
    small = [url for name, url in packages if not name.startswith(LARGE_PREFIXES)]
    for batch in ([*small], *([url] for url in large)):
        if not batch:
            continue
        result = pip("install", "-q", "--no-cache-dir", "--no-deps", *batch)
        if result.returncode != 0:
            raise SystemExit(f"installing {batch} failed: {result.stderr.strip()}")


def main() -> None:
    requirement = sys.argv[1] if len(sys.argv) > 1 else "torch"
    if importlib.util.find_spec("torch") is not None:
        print("install_torch: torch is already installed")
        return
    if install_from_cpu_index(requirement):
        print(f"install_torch: {requirement} from the CPU index")
        return
    packages = resolve(requirement)
    install_one_at_a_time(packages)
    print(f"install_torch: {requirement} from PyPI, {len(packages)} packages one wheel at a time")


if __name__ == "__main__":
    main()
