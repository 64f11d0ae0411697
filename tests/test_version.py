"""One version everywhere: the package, its installed metadata, and the front end's package.json.

``__version__`` in ``src/chatkit_widget/__init__.py`` is the source (hatch reads it for the
wheel); ``js/package.json`` and ``js/package-lock.json`` must say the same.
"""

from __future__ import annotations

import json
import tomllib
from importlib.metadata import version
from pathlib import Path

import chatkit_widget

ROOT = Path(__file__).resolve().parent.parent


def test_the_installed_metadata_has_the_packages_version() -> None:
    assert version("chatkit-widget") == chatkit_widget.__version__


def test_the_front_end_has_the_packages_version() -> None:
    package = json.loads((ROOT / "js" / "package.json").read_text())
    lock = json.loads((ROOT / "js" / "package-lock.json").read_text())
    assert package["version"] == chatkit_widget.__version__
    assert lock["version"] == lock["packages"][""]["version"] == chatkit_widget.__version__


def test_the_wheel_takes_its_version_from_the_package() -> None:
    """The wheel's metadata comes from ``__version__``, not from a second copy in pyproject."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    source = ROOT / project["tool"]["hatch"]["version"]["path"]
    assert source.resolve() == Path(chatkit_widget.__file__).resolve()
