"""The shape of the code: layers point one way, style is clean, heavy libraries load late."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.layout import linked_tree
from tests.support.typecheck import typecheck

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str, path: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(path)} if path else None
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_layers_point_one_way_tui_networks_store(tmp_path: Path) -> None:
    done = _run(str(BIN / "lint-imports"), path=linked_tree(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" not in done.stdout.replace("0 broken", "")


def test_types_check_strict_on_store_and_networks_defaults_on_the_app(tmp_path: Path) -> None:
    done = typecheck(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_finds_nothing() -> None:
    done = _run(str(BIN / "ruff"), "check", ".")
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("personae.tui.cli", ["textual", "atproto", "mastodon", "feedparser", "httpx"]),
        ("personae.networks.registry", ["atproto", "mastodon", "feedparser"]),
        ("personae.networks.bluesky", ["atproto"]),
        ("personae.networks.mastodon", ["mastodon"]),
    ],
)
def test_heavy_libraries_are_imported_only_when_used(module: str, absent: list[str]) -> None:
    """`personae draft` in a cron job should not pay for the app or every network's client."""
    code = f"import sys, {module}; print(' '.join(m for m in {absent!r} if m in sys.modules))"
    done = _run(sys.executable, "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


def test_the_wheel_installs_one_import_package_personae(tmp_path: Path) -> None:
    """Generic names like store/ or tui/ in site-packages would clash with other projects."""
    done = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
        "-w", str(tmp_path), str(ROOT),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("personae-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert tops == {"personae"}
    sources = {
        f"personae/{path.relative_to(ROOT).as_posix()}"
        for folder in ("store", "networks", "tui")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert sources - set(names) == set()  # every module of every package is installed
    assert "personae/tui/app.tcss" in names
    assert any(name.startswith("personae/tui/demo_feeds/") for name in names)


def test_bare_store_networks_tui_do_not_resolve_outside_the_checkout(tmp_path: Path) -> None:
    code = (
        "import importlib.util as u, personae.networks as n; "
        "print([m for m in ('store', 'networks', 'tui') if u.find_spec(m)], n.Network.__name__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "Network"]
