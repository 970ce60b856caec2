"""The app's settings: a small TOML file in the platform's config directory.

```toml
auto_lock_seconds = 600   # idle time before the keys are dropped; 0 turns auto-lock off

[keymap]                  # binding id = keys, as Textual's set_keymap takes them
lock = "ctrl+l"
persona.previous = "minus,grave_accent"
```

Binding ids are dotted (``persona.previous``, ``view.outbox``, ``compose.publish``; ``?``
in the app lists the keys). A missing file means the defaults; a broken one is reported in
one line and ignored; an id that names no binding is reported when the app starts."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from personae.store.text import one_line

DEFAULT_AUTO_LOCK = 600.0
ENV = "PERSONAE_CONFIG"


@dataclass(frozen=True)
class Config:
    auto_lock_seconds: float = DEFAULT_AUTO_LOCK
    keymap: dict[str, str] = field(default_factory=dict)
    problem: str = ""  # why the file was not used, shown once in the app


def config_path() -> Path:
    """``PERSONAE_CONFIG``, else ``config.toml`` in the user config directory."""
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("personae", appauthor=False) / "config.toml"


def load(path: Path | None = None) -> Config:
    """The settings in ``path`` (default: ``config_path()``), or the defaults."""
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return Config(problem=f"ignored {path}: {one_line(str(error), 200)}")
    return parse(data, str(path))


def parse(data: dict[str, object], where: str = "config") -> Config:
    """Validate a decoded TOML document; anything wrong keeps the default and says so."""
    problems = []
    seconds = data.get("auto_lock_seconds", DEFAULT_AUTO_LOCK)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        problems.append("auto_lock_seconds must be a number of seconds (0 = never)")
        seconds = DEFAULT_AUTO_LOCK
    keymap = _flat(data.get("keymap", {}))
    if keymap is None:
        problems.append('[keymap] holds binding_id = "keys" lines')
        keymap = {}
    problem = f"{where}: " + "; ".join(problems) if problems else ""
    return Config(auto_lock_seconds=float(seconds), keymap=keymap, problem=problem)


def _flat(table: object, prefix: str = "") -> dict[str, str] | None:
    """``[keymap]`` as {binding id: keys}: TOML reads an unquoted ``persona.previous = …``
    as a table ``persona`` holding ``previous``, which is the id ``persona.previous``.
    None when something in it is not keys."""
    if not isinstance(table, dict):
        return None
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, str):
            flat[prefix + key] = value
            continue
        inner = _flat(value, f"{prefix}{key}.")
        if inner is None:
            return None
        flat.update(inner)
    return flat
