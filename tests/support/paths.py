"""Where things are, computed once here so that a test file can move without its paths moving with it."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
MODELS = REPO_ROOT / "models"
SERVICES = REPO_ROOT / "services"
# The seed article lives beside the checkout (../shared/examples), not in it; NEWSWIRE_SEED_ARTICLE overrides.
SHARED = REPO_ROOT.parent / "shared"
