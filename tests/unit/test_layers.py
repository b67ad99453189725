"""The layering contracts of pyproject.toml ([tool.importlinter]) hold: a broken one fails the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_import_contracts_are_kept():
    run = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for contract in (
        "workflows is plain Python",
        "never import a blueprint",
        "blueprints do not import each other",
        "the shared page helpers (labels, util, refusals, the event form) import no",
        "no import cycles between",
    ):
        assert f"{contract}" in run.stdout, run.stdout
    assert "5 kept, 0 broken" in run.stdout, run.stdout
