"""attnlib is a real package: its wheel declares what it imports, carries its data, and translates
from a fresh environment outside the repository."""

import ast
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from attnlib import paths

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def requirement_name(spec: str) -> str:
    return spec.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip().lower()


def imported_distributions() -> set[str]:
    """The distributions whose modules the library imports (anywhere, lazily included)."""
    roots = set()
    for path in (ROOT / "lib" / "attnlib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots.add(node.module.split(".")[0])
    known = packages_distributions()
    return {known[r][0].lower() for r in roots - set(sys.stdlib_module_names) - {"attnlib"}}


def test_every_imported_distribution_is_declared():
    declared = {requirement_name(d) for d in PYPROJECT["dependencies"]}
    declared |= {requirement_name(d) for extra in PYPROJECT["optional-dependencies"].values() for d in extra}
    missing = imported_distributions() - declared
    assert not missing, f"the library imports {sorted(missing)}, which pyproject.toml does not declare"
    assert {"tqdm", "sacrebleu", "torch"} <= {requirement_name(d) for d in PYPROJECT["dependencies"]}


def test_the_data_folder_can_be_named(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.DATA_ENV, str(tmp_path))
    assert paths.data_dir() == tmp_path
    monkeypatch.delenv(paths.DATA_ENV)
    assert (paths.data_dir() / "corpus" / "train.tsv").is_file()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding only the built wheel; its dependencies are borrowed from this environment."""
    tmp = tmp_path_factory.mktemp("package")
    source = tmp / "source"  # a copy: building writes build/ and *.egg-info next to the sources
    source.mkdir()
    for part in ("pyproject.toml", "README.md", "lib", "data"):
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy2
        copy(ROOT / part, source / part, **({"ignore": shutil.ignore_patterns("__pycache__", "*.egg-info")}
                                            if (ROOT / part).is_dir() else {}))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                            "-w", str(tmp / "dist"), "-q"], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp / "dist").glob("attnlib-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # torch and friends from here: no download, and this environment's editable attnlib stays invisible
    # (a folder named in a .pth file is searched, but its own .pth files are not run)
    (site / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                              str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]
    return python


def run_outside(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "OMP_NUM_THREADS": "1"}  # no PYTHONPATH, no ATTN_DATA
    return subprocess.run([str(python), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.mark.slow
def test_the_installed_wheel_translates_from_its_own_data(installed, tmp_path):
    where = run_outside(installed, "-c", "import attnlib, attnlib.paths as p; print(attnlib.__file__); print(p.DATA_DIR)",
                        cwd=tmp_path)
    module, data = where.stdout.split()
    assert str(ROOT) not in module and Path(data) == Path(module).parent / "data", where.stdout
    run = run_outside(installed, "-m", "attnlib.translation", "translate", "the black cat sees the dog", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.strip() == "le chat noir voit le chien .", run.stderr[-2000:]
    bad = run_outside(installed, "-m", "attnlib.translation", "translate", "the <bos> cat", cwd=tmp_path)
    assert bad.returncode == 1 and "model's own tokens" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_the_installed_wheel_trains_and_scores_outside_the_repository(installed, tmp_path):
    out = tmp_path / "tiny.pt"
    run = run_outside(installed, "-m", "attnlib.translation", "train", "--preset", "tiny", "--steps", "2", "--out", str(out),
                      "--no-progress", "--score", cwd=tmp_path)
    assert run.returncode == 0 and out.is_file(), run.stderr[-2000:]
    scored = run_outside(installed, "-m", "attnlib.translation", "evaluate", "--checkpoint", str(out), "--split", "valid",
                         cwd=tmp_path)
    assert scored.returncode == 0 and "BLEU" in scored.stdout, scored.stderr[-2000:]
