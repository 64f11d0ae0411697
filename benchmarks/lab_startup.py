"""What the chatkit-widget extensions cost ``jupyter lab`` at start-up.

Starts JupyterLab ``--runs`` times with the server extension enabled and as many times with it
disabled (alternating, so machine noise hits both alike) and prints the median time until the
server answers ``/api/status``, and until a browser page has JupyterLab ready
(``window.jupyterapp`` started) with the lab extension loaded or disabled.

    python benchmarks/lab_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.lab import CHROMIUM, CHROMIUM_ARGS, Lab

OFF_SERVER = "--ServerApp.jpserver_extensions=chatkit_widget.jupyter=False"
OFF_LAB = '{"disabledExtensions": {"@chatkit-widget/jupyterlab": true}}'


def start(enabled: bool, page: object) -> tuple[float, float]:
    root = Path(tempfile.mkdtemp())
    lab = Lab(root, args=[] if enabled else [OFF_SERVER])
    if not enabled:  # what `jupyter labextension disable` writes
        (root / "config" / "labconfig").mkdir(parents=True)
        (root / "config" / "labconfig" / "page_config.json").write_text(OFF_LAB)
    began = time.perf_counter()
    lab.start()
    server = time.perf_counter() - began
    try:
        opened = time.perf_counter()
        page.goto(f"{lab.url}/lab?reset&token={lab.token}")  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "window.jupyterapp && window.jupyterapp.started", timeout=60_000
        )
        page.wait_for_function(  # type: ignore[attr-defined]
            "document.querySelector('.jp-LabShell') !== null", timeout=60_000
        )
        return server, time.perf_counter() - opened
    finally:
        lab.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    times: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for _ in range(runs):
            for name, enabled in (("with", True), ("without", False)):
                page = browser.new_context().new_page()
                times[name].append(start(enabled, page))
                page.context.close()
        browser.close()
    for name, samples in times.items():
        server = statistics.median(s for s, _ in samples)
        page = statistics.median(b for _, b in samples)
        print(f"{name:>7} the extensions: server up {server:5.2f} s   lab page ready {page:5.2f} s")
    ratio = statistics.median(s for s, _ in times["with"]) / statistics.median(
        s for s, _ in times["without"]
    )
    print(f"server start-up with / without: {ratio:.2f}")


if __name__ == "__main__":
    main()
