"""The import contracts in .importlinter hold, and they do catch an import that goes the wrong way."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def copy_project(target: Path) -> None:
    """The three apps and the contracts, so a test can break an import without touching the repository."""
    for package in ("workload", "supervision", "reporting"):
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", target)


def test_every_import_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout
    assert "Contracts: 7 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    copy_project(tmp_path)
    selectors = tmp_path / "workload" / "selectors.py"
    lines = selectors.read_text().count("\n")
    selectors.write_text(selectors.read_text() + "from supervision import models  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert "Contracts: 6 kept, 1 broken." in result.stdout
    assert f"- workload.selectors -> supervision.models (l.{lines + 1})" in result.stdout


def test_django_in_the_scoring_engine_breaks_the_purity_contract(tmp_path):
    copy_project(tmp_path)
    engine = tmp_path / "workload" / "scoring" / "engine.py"
    lines = engine.read_text().count("\n")
    engine.write_text(engine.read_text() + "from django.conf import settings  # noqa\n")

    result = lint_imports(tmp_path)

    # both purity contracts break: the engine itself, and workload.whatif through it
    assert result.returncode == 1
    assert "Contracts: 5 kept, 2 broken." in result.stdout
    assert f"workload.scoring.engine -> django (l.{lines + 1})" in result.stdout
    assert "workload.whatif is not allowed to import django:" in result.stdout
