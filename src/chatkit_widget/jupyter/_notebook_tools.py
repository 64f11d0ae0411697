"""The notebook tools the sidebar's agent can call: ChatKit client tools the browser answers.

The agent runs in the Jupyter server, but only the browser knows the open notebook, its active
cell and selection, and can edit it or run its cells. Each tool here is declared to the model
with its arguments; calling it ends the turn with a pending client tool call, the JupyterLab
extension runs it in the tab that started the turn (on the notebook that was active then),
and its result continues the turn. The functions only give the tools their signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from .._client_tools import ClientTool


def read_notebook() -> None:
    """Read the notebook the user is working in.

    Returns its path, its kernel's name, which cell is active, and every cell (index, type,
    source, and outputs as text, truncated).
    """


def read_selection() -> None:
    """Read the text the user has selected in the notebook's active cell ("" if none)."""


def list_variables() -> None:
    """List the variables defined in the notebook's kernel: name, type and shape or length.

    A silent execution: nothing is added to the kernel's history or the notebook.
    """


def insert_cell(code: str, cell_type: Literal["code", "markdown"] = "code") -> None:
    """Insert a new cell below the notebook's active cell (one undo step; not run).

    Args:
        code: The new cell's source.
        cell_type: "code" or "markdown".
    """


def replace_cell(code: str, index: int | None = None) -> None:
    """Replace a cell's source (one undo step; not run).

    Args:
        code: The cell's new source.
        index: Which cell (0-based); default: the active cell.
    """


def run_cell(code: str, index: int | None = None) -> None:
    """Run a code cell of the notebook and return its outputs. The user approves each run.

    Read the notebook first: ``code`` must be the cell's source exactly. The person approving
    sees it, and the cell is not run if its source differs by the time they approve.

    Args:
        code: The cell's current source (what will run).
        index: Which cell (0-based); default: the active cell.
    """


def notebook_tools() -> list[ClientTool]:
    """The tools, as the sidebar's agent is offered them."""
    tools: list[Callable[..., None]] = [
        read_notebook,
        read_selection,
        list_variables,
        insert_cell,
        replace_cell,
    ]
    return [
        *(ClientTool.from_function(fn) for fn in tools),
        ClientTool.from_function(run_cell, ask_every_time=True),
    ]
