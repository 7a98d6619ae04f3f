"""The publishing workflow can only run on GitHub; here we check it runs what CI tests.

It must call the README's build command and add nothing but checkout and the
Pages deploy, publish the folder that command builds, and trigger on the
branch that the book's Colab and repository buttons point at.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
ALLOWED_ACTIONS = {"actions/checkout", "actions/upload-pages-artifact", "actions/deploy-pages",
                   "actions/configure-pages"}


def _readme_commands() -> list[str]:
    block = re.search(r"## The two commands.*?```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "README.md lost its 'The two commands' block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def _steps() -> list[dict]:
    flow = yaml.safe_load(WORKFLOW.read_text())
    return [s for job in flow["jobs"].values() for s in job["steps"]]


def test_readme_gives_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    commands = _readme_commands()
    assert commands == ["make book", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    steps = [line.strip() for line in ci.splitlines()
             if line.strip() and not line.lstrip().startswith("#")
             and not line.startswith(("set -", "cd "))]
    assert steps == ["make test"], f".ci/run must be the README's test command and nothing more: {steps}"


def test_workflow_runs_only_the_readme_build_command_plus_checkout_and_deploy() -> None:
    runs = [s["run"].strip() for s in _steps() if "run" in s]
    assert runs == ["make book"]
    uses = {s["uses"].split("@")[0] for s in _steps() if "uses" in s}
    assert uses <= ALLOWED_ACTIONS, uses - ALLOWED_ACTIONS
    assert {"actions/checkout", "actions/upload-pages-artifact", "actions/deploy-pages"} <= uses


def test_workflow_publishes_what_make_book_builds_from_the_configured_branch() -> None:
    uploads = [s for s in _steps() if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert [u["with"]["path"] for u in uploads] == ["_build/html"]
    makefile = (ROOT / "Makefile").read_text()
    assert "--path-output $(BUILD_ROOT)" in makefile and "BUILD_ROOT := $(if $(filter book,$(RESNOTES_SIZE)),.," in makefile
    flow = yaml.safe_load(WORKFLOW.read_text())
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on` as true
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert triggers["push"]["branches"] == [config["repository"]["branch"]]
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
