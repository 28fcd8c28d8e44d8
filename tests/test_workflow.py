"""The workflow that publishes the book (.github/workflows/publish.yml): actionlint finds nothing wrong with it,
and it builds the book with `make book`, with both build settings taken from the repository in the forms the
library reads (attnlib.book.notebooks)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from attnlib.book import notebooks

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
PUBLISH = WORKFLOWS / "publish.yml"


# -- actionlint ---------------------------------------------------------------------------------------

def actionlint(*files: Path) -> subprocess.CompletedProcess:
    """actionlint, installed next to this Python by requirements.txt, run on ``files``. A missing one fails."""
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("actionlint is not installed next to this Python: requirements.txt installs it (`make venv`) "
                    "wherever its package has a wheel",
                    pytrace=False)
    return subprocess.run([exe, "-no-color", *map(str, files)], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_actionlint_passes_every_workflow():
    files = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    assert PUBLISH in files
    run = actionlint(*files)
    assert run.returncode == 0, f"actionlint found problems:\n{run.stdout}{run.stderr}"


# a mistake each, in a copy of the real workflow: actionlint must reject every one
BREAKAGES = {
    "a misspelt output of configure-pages": ("steps.pages.outputs.base_url", "steps.pages.outputs.base_ur", "base_ur"),
    "a job that needs no such job": ("needs: build", "needs: bulid", "bulid"),
    "an unknown key of a job": ("runs-on:", "run-on:", "run-on"),
}


@pytest.mark.parametrize("old, new, named", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_actionlint_rejects_a_broken_workflow(tmp_path, old, new, named):
    text = PUBLISH.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    run = actionlint(broken)
    assert run.returncode == 1, f"actionlint accepted the workflow with {new!r} (exit {run.returncode}):\n{run.stdout}{run.stderr}"
    assert named in run.stdout, run.stdout


# -- what the workflow does ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(PUBLISH.read_text(encoding="utf-8"))


def steps(workflow: dict) -> list[tuple[str, dict]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])]


def needs(job: dict) -> list[str]:
    return [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", [])


def the_step(workflow: dict, action: str) -> tuple[str, dict]:
    """(job, step) of the one step that uses ``action`` (owner/name, any version)."""
    found = [(job, step) for job, step in steps(workflow) if step.get("uses", "").split("@")[0] == action]
    assert len(found) == 1, f"the workflow uses {action} {len(found)} times, not once"
    return found[0]


def test_it_runs_on_each_push_to_main_and_by_hand(workflow):
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on
    assert workflow["concurrency"]["group"]


def test_every_action_is_pinned_to_a_major_version(workflow):
    loose = [step["uses"] for _, step in steps(workflow)
             if "uses" in step and not re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"])]
    assert not loose, f"pin these to a major version (owner/name@vN): {loose}"


def test_the_book_is_built_with_make_book_and_published_with_pages(workflow):
    builds = [(job, step) for job, step in steps(workflow) if step.get("run", "").strip() == "make book"]
    assert len(builds) == 1, f"{len(builds)} steps run `make book`, not one"
    job, build = builds[0]
    setup = {action: the_step(workflow, action) for action in
             ("actions/setup-python", "actions/setup-node", "actions/configure-pages", "actions/upload-pages-artifact")}
    assert all(where == job for where, _ in setup.values()), "the book is set up, built and uploaded in one job"
    assert str(setup["actions/setup-python"][1]["with"]["python-version"]) == "3.11"
    assert str(setup["actions/setup-node"][1]["with"]["node-version"]) == "20"
    assert setup["actions/upload-pages-artifact"][1]["with"]["path"] == "_build/html"
    assert workflow["jobs"][job]["permissions"].get("pages") in ("read", "write"), "configure-pages reads Pages"

    deploy_job, deploy = the_step(workflow, "actions/deploy-pages")
    deployer = workflow["jobs"][deploy_job]
    assert job in needs(deployer)
    assert deployer["permissions"] == {"pages": "write", "id-token": "write"}
    assert deployer["environment"]["name"] == "github-pages"
    assert deployer["environment"]["url"] == f"${{{{ steps.{deploy['id']}.outputs.page_url }}}}"


def test_both_build_settings_come_from_the_repository(workflow, monkeypatch):
    """The values the workflow gives the build, filled in as GitHub would for OWNER/NAME, are the site's
    address and the repository's URL, in the forms attnlib.book.notebooks accepts."""
    _, build = next((job, step) for job, step in steps(workflow) if step.get("run", "").strip() == "make book")
    _, pages = the_step(workflow, "actions/configure-pages")
    github = {  # what GitHub puts in these expressions for a repository OWNER/NAME published on github.io
        f"steps.{pages['id']}.outputs.base_url": "https://owner.github.io/name",  # configure-pages: no final /
        "github.server_url": "https://github.com",
        "github.repository": "owner/name",
    }
    env = build.get("env", {})
    for name in (notebooks.SITE_ENV, notebooks.REPOSITORY_ENV):
        assert name in env, f"the build does not set ${name}"
        value = re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: github[m.group(1)], env[name])
        monkeypatch.setenv(name, value)
    assert env[notebooks.SITE_ENV].endswith("/"), "the site's address ends in /"
    assert notebooks.site_url() == "https://owner.github.io/name/"
    assert notebooks.repository() == ("owner", "name")


def test_the_colab_branch_is_kept(workflow):
    """The Colab buttons open each chapter's notebook on the branch notebooks.PAGES_BRANCH: the workflow keeps
    the published site there, after Pages has it."""
    pushes = [(job, step) for job, step in steps(workflow)
              if re.search(rf"git push .*\b{re.escape(notebooks.PAGES_BRANCH)}\s*$", step.get("run", ""), re.M)]
    assert len(pushes) == 1, f"one step pushes the site to the {notebooks.PAGES_BRANCH} branch"
    job, push = pushes[0]
    pusher = workflow["jobs"][job]
    assert pusher["permissions"] == {"contents": "write"}
    deploy_job, _ = the_step(workflow, "actions/deploy-pages")
    assert deploy_job in needs(pusher)
    assert "artifact.tar" in push["run"], "the site pushed is the one Pages published"
