"""Theme and start-screen options: validated in Python, synced as plain JSON.

A theme is ``"auto"``, ``"light"``, ``"dark"``, or a dict. The dict takes ChatKit's theme
options (snake_case or ChatKit's camelCase) and plain colour keys (``primary``, ``background``,
``text``...), and is normalised to one flat shape the front end maps to CSS custom properties
(``js/src/ui/theme.ts``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._chatkit_json import JSONObject

SCHEMES = ("auto", "light", "dark")
RADII = ("pill", "round", "soft", "sharp")
DENSITIES = ("compact", "normal", "spacious")

# Every spelling a user may pass -> the normalised key.
_ALIASES: dict[str, str] = {
    "color_scheme": "color_scheme",
    "colorScheme": "color_scheme",
    "radius": "radius",
    "density": "density",
    "base_size": "base_size",
    "baseSize": "base_size",
    "font_family": "font_family",
    "fontFamily": "font_family",
    "accent": "accent",
    "accent_color": "accent",
    "primary": "accent",
    "background": "background",
    "text": "text",
    "message_bubble_user": "user_bubble",
    "user_bubble": "user_bubble",
    "message_bubble_assistant": "assistant_bubble",
    "assistant_bubble": "assistant_bubble",
}
_COLOR_KEYS = ("accent", "background", "text", "user_bubble", "assistant_bubble")
# A CSS colour or font list, never anything that could end a declaration.
_SAFE_VALUE = re.compile(r"^[^;{}<>\\]+$")


def normalize_theme(theme: object) -> str | JSONObject:
    """Validate a theme and return what the front end receives.

    Raises:
        ValueError: naming the offending key and what it accepts.
        TypeError: if the theme is neither a string nor a dict.
    """
    if isinstance(theme, str):
        if theme not in SCHEMES:
            raise ValueError(f"theme must be one of {_names(SCHEMES)} or a dict, not {theme!r}")
        return theme
    if not isinstance(theme, Mapping):
        raise TypeError(f"theme must be a string or a dict, not {type(theme).__name__}")
    out: JSONObject = {}
    for key, value in theme.items():
        if key == "typography" and isinstance(value, Mapping):
            _merge(out, {**value})
        elif key == "color" and isinstance(value, Mapping):
            _merge(out, _flatten_color(value))
        else:
            _merge(out, {key: value})
    return out


def _merge(out: JSONObject, options: Mapping[str, Any]) -> None:
    for key, value in options.items():
        name = _ALIASES.get(key)
        if name is None:
            known = sorted({*_ALIASES, "typography", "color"})
            raise ValueError(f"unknown theme option {key!r}; known options: {', '.join(known)}")
        out[name] = _check(name, value)


def _flatten_color(color: Mapping[str, Any]) -> JSONObject:
    """ChatKit's ``color: {accent: {primary}, surface: {background, foreground}}``."""
    flat: JSONObject = {}
    accent = color.get("accent")
    if isinstance(accent, Mapping) and "primary" in accent:
        flat["accent"] = accent["primary"]
    surface = color.get("surface")
    if isinstance(surface, Mapping):
        if "background" in surface:
            flat["background"] = surface["background"]
        if "foreground" in surface:
            flat["text"] = surface["foreground"]
    return flat


def _check(name: str, value: Any) -> Any:
    choices = {"color_scheme": SCHEMES, "radius": RADII, "density": DENSITIES}.get(name)
    if choices is not None:
        if value not in choices:
            raise ValueError(f"theme {name} must be one of {_names(choices)}, not {value!r}")
        return value
    if name == "base_size":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 8 <= value <= 32:
            raise ValueError(f"theme base_size must be a number of pixels (8-32), not {value!r}")
        return value
    if not isinstance(value, str) or not _SAFE_VALUE.match(value):
        what = "a CSS colour" if name in _COLOR_KEYS else "a CSS font-family list"
        raise ValueError(f"theme {name} must be {what}, not {value!r}")
    return value


def normalize_prompts(prompts: Sequence[object] | None) -> list[dict[str, str]]:
    """Starter prompts as ``[{label, prompt}]``; a plain string is both.

    Raises:
        TypeError: for an entry that is neither a string nor a dict with a ``prompt``.
    """
    out: list[dict[str, str]] = []
    for entry in prompts or []:
        if isinstance(entry, str) and entry.strip():
            out.append({"label": entry, "prompt": entry})
        elif isinstance(entry, Mapping) and isinstance(entry.get("prompt"), str):
            label = entry.get("label") or entry["prompt"]
            out.append({"label": str(label), "prompt": entry["prompt"]})
        else:
            raise TypeError(
                f"a starter prompt is a string or {{'label': ..., 'prompt': ...}}, not {entry!r}"
            )
    return out


def _names(choices: Sequence[str]) -> str:
    return ", ".join(map(repr, choices))
