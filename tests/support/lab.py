"""Real JupyterLab in headless Chromium: start the server, open notebooks, talk to the kernel."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import nbformat
from playwright.sync_api import Page

CHROMIUM = os.environ.get("CHATKIT_WIDGET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Lab:
    """A JupyterLab server in a temporary root, with its own config and data folders.

    ``app="server"`` starts a bare Jupyter server instead; ``args`` are added to its command.
    """

    def __init__(self, root: Path, *, app: str = "lab", args: Sequence[str] = ()) -> None:
        self.app = app
        self.args = list(args)
        self.root = root / "notebooks"
        self.root.mkdir(parents=True)
        self.data_dir = root / "data"
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        settings = root / "settings"
        notification = settings / "@jupyterlab" / "apputils-extension"
        notification.mkdir(parents=True)
        (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
        self.env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(root / "config"),
            "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
            "JUPYTER_DATA_DIR": str(self.data_dir),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
            "OPENAI_AGENTS_DISABLE_TRACING": "1",
        }
        self.env.pop("OPENAI_API_KEY", None)
        self.log = (root / "lab.log").open("w")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # The kernel inherits this environment: the Jupyter data dir (where chats persist by
        # default) is the temporary one, and the lab's own python has the package installed.
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                self.app,
                "--no-browser",
                "--allow-root",
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.port),
                f"--ServerApp.token={self.token}",
                f"--ServerApp.root_dir={self.root}",
                "--LabApp.expose_app_in_browser=True",
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly",
                *self.args,
            ],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("jupyter lab did not answer /api/status within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def write_notebook(self, name: str, cells: list[str]) -> str:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, self.root / name)
        return name

    def open(self, page: Page, name: str) -> None:
        """Open a notebook in a fresh tab and wait until its kernel is idle."""
        page.goto(f"{self.url}/lab/tree/{name}?reset&token={self.token}")
        page.wait_for_function(
            """name => {
                const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                const k = w && w.context && w.context.path === name && w.sessionContext.session
                    && w.sessionContext.session.kernel;
                return !!k && k.status === 'idle';
            }""",
            arg=name,
            timeout=60_000,
        )

    def run_all(self, page: Page) -> None:
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")

    def execute(self, page: Page, code: str, timeout_ms: int = 30_000) -> str:
        """Run code in the open notebook's kernel; return what it printed plus its result."""
        return str(
            page.evaluate(
                """async ([code, timeoutMs]) => {
                const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                const future = kernel.requestExecute({ code, store_history: false });
                let out = '';
                future.onIOPub = (msg) => {
                    const c = msg.content;
                    if (msg.header.msg_type === 'stream') out += c.text;
                    if (msg.header.msg_type === 'execute_result') out += c.data['text/plain'];
                    if (msg.header.msg_type === 'error') out += `ERROR ${c.ename}: ${c.evalue}`;
                };
                const timer = new Promise((_, reject) =>
                    setTimeout(() => reject(new Error('kernel did not answer')), timeoutMs));
                await Promise.race([future.done, timer]);
                return out;
            }""",
                [code, timeout_ms],
            )
        )

    def start_execute(self, page: Page, code: str) -> None:
        """Run code in the kernel without waiting; ``executed_output`` reads what it printed."""
        page.evaluate(
            """(code) => {
                const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                window.__executed = { out: '', done: false };
                const future = kernel.requestExecute({ code, store_history: false });
                future.onIOPub = (msg) => {
                    const c = msg.content;
                    const type = msg.header.msg_type;
                    if (type === 'stream') window.__executed.out += c.text;
                    if (type === 'error') window.__executed.out += `ERROR ${c.ename}`;
                };
                future.done.then(() => { window.__executed.done = true; });
            }""",
            code,
        )

    def executed_output(self, page: Page) -> str:
        """What the code given to ``start_execute`` printed, once it finished."""
        page.wait_for_function("() => window.__executed.done", timeout=30_000)
        return str(page.evaluate("window.__executed.out"))

    def interrupt_kernel(self, page: Page) -> None:
        page.evaluate(
            "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.interrupt()"
        )

    def restart_kernel(self, page: Page) -> None:
        page.evaluate(
            "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()"
        )
        page.wait_for_function(
            """() => {
                const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                return k && k.status === 'idle';
            }""",
            timeout=60_000,
        )
