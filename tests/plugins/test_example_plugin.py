"""A third-party network plugin, installed the way a user would install one (pip, into a
folder of its own — never into personae's environment), is listed by ``personae networks``
with its version and works; a plugin that fails to import is reported and skipped; the
``PERSONAE_NETWORKS`` allow-list hides what it does not name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.prereqs import require

EXAMPLE = Path(__file__).parent / "example_plugin"
BIN = Path(sys.executable).parent
BROKEN_MODULE = '''"""A plugin whose dependency is missing on this machine."""

import personae_missing_dependency  # noqa: F401
'''


def broken_copy(source: Path, target: Path) -> Path:
    """The example package renamed to personae-broken, whose module fails to import."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = (target / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = pyproject.replace('name = "personae-echo"', 'name = "personae-broken"')
    pyproject = pyproject.replace(
        'echo = "personae_echo:EchoNetwork"', 'broken = "personae_broken:X"'
    )
    pyproject = pyproject.replace('modules = ["personae_echo"]', 'modules = ["personae_broken"]')
    (target / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (target / "personae_broken.py").write_text(BROKEN_MODULE, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the echo and the broken plugin, installed by pip, offline."""
    root = tmp_path_factory.mktemp("plugins")
    echo = root / "src" / "echo"
    shutil.copytree(EXAMPLE, echo, ignore=shutil.ignore_patterns("__pycache__"))
    broken = broken_copy(EXAMPLE, root / "src" / "broken")
    target = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-build-isolation", "--no-index", "--target", str(target),
         str(echo), str(broken)],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    return target


def personae_env(site: Path | None, allow: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PERSONAE_NETWORKS", "PYTHONPATH")}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    if allow:
        env["PERSONAE_NETWORKS"] = allow
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)


def networks_json(env: dict[str, str]) -> tuple[dict[str, dict], str]:
    personae = BIN / "personae"
    require(personae.exists(), f"the personae command is not installed in {BIN}")
    done = run([str(personae), "networks", "--json"], env)
    assert done.returncode == 0, done.stderr
    return {row["name"]: row for row in json.loads(done.stdout)}, done.stderr


def test_an_installed_plugin_is_listed_with_its_version(site: Path) -> None:
    listed, _ = networks_json(personae_env(site))
    assert listed["echo"] == {
        "name": "echo",
        "title": "Echo",
        "package": "personae-echo",
        "version": "0.3.1",
        "read_only": False,
        "max_length": 42,
        "length_unit": "characters",
        "limit": "42 characters",
    }
    assert {"rss", "local"} <= listed.keys()


def test_the_plugin_appears_in_the_plain_listing_too(site: Path) -> None:
    done = run([str(BIN / "personae"), "networks"], personae_env(site))
    assert done.returncode == 0
    line = next(line for line in done.stdout.splitlines() if line.startswith("echo "))
    assert line.split() == ["echo", "Echo", "personae-echo", "0.3.1", "42", "characters"]


def test_without_the_plugin_installed_it_is_not_listed() -> None:
    listed, _ = networks_json(personae_env(None))
    assert "echo" not in listed and "broken" not in listed


def test_a_plugin_that_fails_to_import_is_reported_on_stderr_and_skipped(site: Path) -> None:
    listed, stderr = networks_json(personae_env(site))
    assert "broken" not in listed and "echo" in listed
    assert (
        "personae: skipped network broken: network 'broken' failed to load "
        "(ModuleNotFoundError: No module named 'personae_missing_dependency')"
    ) in stderr.splitlines()
    assert "Traceback" not in stderr


def test_the_allow_list_hides_networks_it_does_not_name(site: Path) -> None:
    """On a shared box, PERSONAE_NETWORKS=rss,local loads nothing else, not even to fail."""
    listed, stderr = networks_json(personae_env(site, allow="rss,local"))
    assert sorted(listed) == ["local", "rss"]
    assert "echo" not in stderr and "broken" not in stderr


USE_ECHO = """
import json
from personae.networks.base import Post, Source
from personae.networks.errors import NetworkError, NetworkUnavailable
from personae.networks.registry import load

echo = load("echo")
source = Source(url="", handle="Ada")
post = Post(text="cookies for everyone", idem_key="k-1")
try:
    load("broken")
    broken = "loaded"
except NetworkUnavailable as error:
    broken = str(error)
try:
    echo.publish(source, Post(text="x" * 43, idem_key="k-2"))
    too_long = ""
except NetworkError as error:
    too_long = str(error)
print(json.dumps({
    "handle": echo.verify(source).handle,
    "items": [[i.remote_id, i.author, i.text] for i in echo.fetch(source).items],
    "published": [echo.publish(source, post).remote_id for _ in range(2)],
    "too_long": too_long,
    "broken": broken,
}))
"""


def test_the_installed_plugin_is_usable_through_the_registry(site: Path) -> None:
    done = run([sys.executable, "-c", USE_ECHO], personae_env(site))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "handle": "ada",
        "items": [["echo:Ada:hello", "Ada", "hello from Ada"]],
        "published": ["echo:Ada:k-1", "echo:Ada:k-1"],  # the same post, the same id
        "too_long": "43 characters, Echo allows 42",
        "broken": "network 'broken' failed to load "
        "(ModuleNotFoundError: No module named 'personae_missing_dependency')",
    }


def test_the_allow_list_refuses_to_load_a_plugin_it_does_not_name(site: Path) -> None:
    script = (
        "from personae.networks.registry import load\n"
        "from personae.networks.errors import NetworkUnavailable\n"
        "try:\n    load('echo')\nexcept NetworkUnavailable as error:\n    print(error)\n"
    )
    done = run([sys.executable, "-c", script], personae_env(site, allow="rss"))
    assert done.stdout.strip() == "network 'echo' is not in PERSONAE_NETWORKS"
