"""Re-execute the notebooks in notebooks/ and store their outputs for nbval.

Runs each notebook with a fresh Jupyter data dir (so the default chat store starts empty),
then strips what must never be committed: saved widget state (it embeds the whole JS bundle)
and widget-view outputs (their model ids point at state that is not saved).

    python scripts/refresh_notebooks.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ROOT = Path(__file__).resolve().parent.parent / "notebooks"


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["JUPYTER_DATA_DIR"] = data_dir
        os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"
        os.environ.pop("OPENAI_API_KEY", None)
        ExecutePreprocessor(timeout=120).preprocess(nb, {"metadata": {"path": str(path.parent)}})
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(ROOT.parent)}")


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(p.name for p in ROOT.glob("*.ipynb")):
        refresh(ROOT / name)
