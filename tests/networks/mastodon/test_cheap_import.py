"""Mastodon.py costs ~0.3 s to import: the app must not pay it before a Mastodon account
is used, so listing or loading the adapter leaves it (and requests) unimported."""

from __future__ import annotations

import subprocess
import sys


def test_loading_the_adapter_imports_neither_mastodon_py_nor_requests():
    probe = (
        "import sys\n"
        "from personae.networks.registry import load\n"
        "network = load('mastodon')\n"
        "network.check_length('see https://example.org')\n"  # counting needs no Mastodon.py
        "print(network.capabilities.max_length, 'requests' in sys.modules,"
        " 'mastodon.Mastodon' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["500", "False", "False"]
