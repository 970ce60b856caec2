"""The adapter loads without its client library: ``atproto`` costs ~0.6 s to import, and the
app must not pay it before its first frame or for a persona without a Bluesky account."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_adapter_does_not_import_atproto():
    code = (
        "import sys, personae.networks.bluesky as b; b.BlueskyNetwork().check_length('hi'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('atproto', 'atproto_client',"
        " 'httpx')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
