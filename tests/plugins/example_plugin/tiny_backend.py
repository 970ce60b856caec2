"""A PEP 517 build backend small enough to read: it zips the listed modules and the
metadata from pyproject.toml into a wheel. With it the example plugin installs with
``pip install --no-build-isolation`` and nothing else: no setuptools, no wheel, no index."""

from __future__ import annotations

import base64
import hashlib
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).parent


def get_requires_for_build_wheel(config_settings: dict | None = None) -> list[str]:
    return []


def build_wheel(
    wheel_directory: str, config_settings: dict | None = None, metadata_directory: str | None = None
) -> str:
    config = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
    project = config["project"]
    name, version = project["name"].replace("-", "_"), project["version"]
    info = f"{name}-{version}.dist-info"
    files = {
        f"{module}.py": (HERE / f"{module}.py").read_bytes()
        for module in config["tool"]["tiny-backend"]["modules"]
    }
    files[f"{info}/METADATA"] = _metadata(project)
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: tiny_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files[f"{info}/entry_points.txt"] = _entry_points(project.get("entry-points", {}))
    record = [f"{path},sha256={_digest(data)},{len(data)}" for path, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    wheel = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def _metadata(project: dict) -> bytes:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3')}",
        *(f"Requires-Dist: {dependency}" for dependency in project.get("dependencies", [])),
    ]
    return ("\n".join(lines) + "\n").encode()


def _entry_points(groups: dict[str, dict[str, str]]) -> bytes:
    sections = []
    for group, points in groups.items():
        sections.append(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()))
    return "\n".join(sections).encode()


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
