"""Programs and files some tests need (Debian's Chromium, pdftotext and xmlsec1, axe-core from
npm): without them a test is skipped locally, and fails in CI."""

import os
from pathlib import Path

import pytest


def require_program(path: str, *, install: str) -> None:
    """Skip the test when a Debian program it needs is missing, saying how to install it; in CI
    (CI=true, as `.ci/run` sets) fail instead, so that no test is skipped unseen."""
    require_file(path, how=f"apt-get install -y {install}")


def require_file(path: str, *, how: str) -> None:
    """As `require_program`, for any file a test needs; `how` says how to get it."""
    if not Path(path).exists():
        skip_or_fail(f"{path} is missing ({how})")


def skip_or_fail(reason: str) -> None:
    """Skip a test for want of something on the machine; in CI, fail instead."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}: CI runs every test")
    pytest.skip(reason)
