"""Rich tool results: a Jupyter mimebundle for what a tool returned, for the chat to show.

A tool in the kernel may return a pandas DataFrame, a matplotlib figure or any IPython display
object. The model still receives a text form (openai-agents sends ``str(result)``); the chat
shows the bundle inside the tool row, the way a notebook cell would show the object.
"""

from __future__ import annotations

import base64
import io
import sys
from typing import Any, TypeAlias

# What the front end can render safely (HTML is sanitized there, SVG shown as an image).
RICH_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/svg+xml",
    "text/html",
    "text/markdown",
    "text/latex",
    "application/json",
)
#: A Jupyter mimebundle: MIME type -> data (text, base64 or a JSON value).
MimeBundle: TypeAlias = dict[str, Any]
MAX_BUNDLE_CHARS = 4_000_000  # ~3 MB of PNG: more would bloat the conversation store
_PLAIN = (str, bytes, int, float, bool, dict, list, tuple, type(None))


def mimebundle(obj: object) -> MimeBundle | None:
    """The displayable forms of ``obj``, or ``None`` when it is plain data (text, JSON-like).

    Uses the kernel's own display formatter when there is one, so objects display here as
    they do in a cell. A bundle over ``MAX_BUNDLE_CHARS`` keeps only its text form.
    """
    if isinstance(obj, _PLAIN) or _is_pydantic(obj):
        return None
    bundle = _figure_bundle(obj) or _formatted(obj)
    rich = {mime: data for mime, data in bundle.items() if mime in RICH_TYPES}
    if not rich:
        return None
    if sum(len(str(v)) for v in rich.values()) > MAX_BUNDLE_CHARS:
        return None
    if "text/plain" in bundle:
        rich["text/plain"] = bundle["text/plain"]
    return rich


def _formatted(obj: object) -> MimeBundle:
    try:
        from IPython.core.formatters import DisplayFormatter
        from IPython.core.getipython import get_ipython

        shell = get_ipython()
        formatter = getattr(shell, "display_formatter", None) or DisplayFormatter()
        data, _metadata = formatter.format(obj)
    except Exception:  # a broken _repr_*_ must not fail the tool call
        return {}
    return dict(data)


def _figure_bundle(obj: object) -> MimeBundle | None:
    """A matplotlib Figure (or Axes) as PNG, whatever backend the kernel uses."""
    figure = getattr(obj, "figure", None) if not hasattr(obj, "savefig") else obj
    if figure is None or not hasattr(figure, "savefig") or not hasattr(figure, "canvas"):
        return None
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", bbox_inches="tight")
        _forget_in_pyplot(figure)
    except Exception:  # the tool succeeded; only its picture failed
        return None
    return {
        "image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
        "text/plain": repr(figure),
    }


def _forget_in_pyplot(figure: Any) -> None:
    # The inline backend shows every open pyplot figure after the next cell runs: the figure
    # belongs to the chat now, so it should not pop up again under some later cell.
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(figure)  # a no-op for figures pyplot does not manage


def _is_pydantic(obj: object) -> bool:
    return hasattr(type(obj), "model_fields") and hasattr(obj, "model_dump")
