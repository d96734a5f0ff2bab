"""Debian programs some tests need (Chromium, pdftotext): without them a test is skipped
locally, and fails in CI."""

import os
from pathlib import Path

import pytest


def require_program(path: str, *, install: str) -> None:
    """Skip the test when a Debian program it needs is missing, saying how to install it; in CI
    (CI=true, as `.ci/run` sets) fail instead, so that no test is skipped unseen."""
    if Path(path).exists():
        return
    reason = f"{path} is missing (apt-get install -y {install})"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}: CI runs every test")
    pytest.skip(reason)
