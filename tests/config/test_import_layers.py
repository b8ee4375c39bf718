"""The layers of docs/architecture.md, as import-linter contracts in
pyproject.toml: an app imports only from the layers below it, and pure
computation imports no Django. A new upward import fails here, naming it."""

import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT


def test_every_import_contract_is_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
