"""The layers of docs/architecture.md hold: `lint-imports` checks the contracts in
.importlinter (kernel -> capabilities -> front ends; portal.ui and portal.api apart)."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(*args: str) -> subprocess.CompletedProcess:
    # Beside this Python first: the one requirements-dev.txt installed into.
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert command, "import-linter is not installed: pip install -r requirements-dev.txt"
    return subprocess.run([command, "--no-cache", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_import_contracts_are_kept():
    result = lint_imports()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout, result.stdout[-4000:]


def test_a_broken_contract_fails(tmp_path):
    """The check can fail: a contract the code does not keep is reported as broken."""
    config = tmp_path / "broken.ini"
    config.write_text("[importlinter]\nroot_package = portal\n\n"
                      "[importlinter:contract:pages-need-the-kernel]\nname = ui without i18n\n"
                      "type = forbidden\nsource_modules =\n    portal.ui\n"
                      "forbidden_modules =\n    portal.i18n\n", encoding="utf-8")
    result = lint_imports(str(config))
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout[-2000:]
