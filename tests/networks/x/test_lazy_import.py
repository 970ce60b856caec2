"""The X adapter loads without httpx or twitter-text (~0.4 s): a cron job that never
counts an X post should not pay for them."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_adapter_loads_neither_httpx_nor_twitter_text():
    code = (
        "import sys, personae.networks.x, personae.networks.webapi; "
        "print([m for m in ('httpx', 'twitter_text') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
