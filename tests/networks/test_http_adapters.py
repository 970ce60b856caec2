"""What the four HTTP-API networks (X, LinkedIn, Facebook Pages, Threads) promise as
plugins: registered under their names, cheap to import, honest about what they can do."""

from __future__ import annotations

import subprocess
import sys

import pytest

from personae.networks.registry import load

MODULES = ["x", "linkedin", "facebook", "threads", "graph", "webapi"]


def test_importing_the_adapters_loads_neither_httpx_nor_twitter_text():
    """A cron job that never talks to these networks should not pay for their clients."""
    modules = ", ".join(f"personae.networks.{name}" for name in MODULES)
    code = (
        f"import sys, {modules}; "
        "print([m for m in ('httpx', 'twitter_text', 'openapi_core') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("name", "title", "limit", "unit"),
    [
        ("x", "X", 280, "weighted characters"),
        ("linkedin", "LinkedIn", 3000, "characters"),
        ("facebook", "Facebook Pages", 63206, "characters"),
        ("threads", "Threads", 500, "characters"),
    ],
)
def test_each_network_is_installed_under_its_name_with_its_limit(name, title, limit, unit):
    network = load(name)
    assert (network.name, network.title) == (name, title)
    assert network.capabilities.max_length == limit
    assert network.capabilities.length_unit == unit
    assert not network.capabilities.read_only


def test_only_linkedin_is_publish_only():
    assert [
        n for n in ("x", "linkedin", "facebook", "threads") if load(n).capabilities.publish_only
    ] == ["linkedin"]
