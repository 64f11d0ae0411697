"""The built wheel, installed the way users install it: a fresh venv, and no Node anywhere.

Both extensions must come with it, enabled and valid, and JupyterLab must start with them
(``jupyterlab.browser_check --no-browser-test``, as the extension template's CI does).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

import httpx
import pytest

from .support.http_servers import free_port

ROOT = Path(__file__).resolve().parent.parent
BUILT = ROOT / "src" / "chatkit_widget" / "labextension" / "package.json"


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def no_node_env(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    """A venv with JupyterLab and the wheel, and a PATH on which node and npm do not exist."""
    assert BUILT.exists(), "the test environment builds the extension (scripts/_setup.sh)"
    where = tmp_path_factory.mktemp("wheel")
    wheels = where / "dist"
    # The bundles exist (skip-if-exists), so building the wheel needs no npm either.
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        dict(os.environ),
        ROOT,
    )
    [wheel] = wheels.glob("chatkit_widget-*.whl")
    env_dir = where / "venv"
    venv.create(env_dir, with_pip=True)
    # A PATH of only the venv and the system's basic tools, with node and npm filtered out.
    bin_dir = where / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "env", "uname", "cat"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    # The registry settings (PIP_*, proxies, certificates) stay; the rest is the new venv's.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(
        PATH=f"{env_dir / 'bin'}:{bin_dir}",
        JUPYTER_CONFIG_DIR=str(where / "config"),
        JUPYTER_DATA_DIR=str(where / "data"),
        JUPYTER_RUNTIME_DIR=str(where / "runtime"),
        OPENAI_AGENTS_DISABLE_TRACING="1",
    )
    python = str(env_dir / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "jupyterlab>=4,<5", str(wheel)], env, where)
    assert shutil.which("node", path=env["PATH"]) is None
    return env, where


def test_the_wheel_brings_both_extensions_enabled_without_node(
    no_node_env: tuple[dict[str, str], Path],
) -> None:
    env, where = no_node_env
    labext = run(["jupyter", "labextension", "list"], env, where)
    assert "@chatkit-widget/jupyterlab v" in labext
    line = next(ln for ln in labext.splitlines() if "@chatkit-widget/jupyterlab" in ln)
    assert "enabled" in line and "OK" in line, labext
    server = run(["jupyter", "server", "extension", "list"], env, where)
    assert "chatkit_widget.jupyter enabled" in server.replace("\x1b[32m", "").replace(
        "\x1b[0m", ""
    ), server
    assert "chatkit_widget.jupyter  OK" in server.replace("\x1b[32m", "").replace("\x1b[0m", "")


def test_jupyterlab_starts_with_them(no_node_env: tuple[dict[str, str], Path]) -> None:
    env, where = no_node_env
    out = run(
        [
            "python",
            "-m",
            "jupyterlab.browser_check",
            "--no-browser-test",
            "--ServerApp.allow_root=True",
        ],
        env,
        where,
    )
    assert "chatkit_widget.jupyter | extension was successfully loaded" in out, out


def test_the_wheel_ships_the_licences_of_what_it_bundles(
    no_node_env: tuple[dict[str, str], Path],
) -> None:
    env, where = no_node_env
    core = json.loads((ROOT / "js" / "package.json").read_text())["dependencies"]
    find = (
        "import chatkit_widget, pathlib, sys; print(pathlib.Path(chatkit_widget.__file__).parent);"
        " print(sys.prefix)"
    )
    package, prefix = run(["python", "-c", find], env, where).split()
    shipped = [
        Path(package) / "static" / "third-party-licenses.json",  # the cell widget's bundle
        Path(prefix) / "share/jupyter/labextensions/@chatkit-widget/jupyterlab/static"
        "/third-party-licenses.json",
    ]
    for path in shipped:
        licences = {p["name"]: p for p in json.loads(path.read_text())["packages"]}
        assert set(core) <= set(licences), f"{path} lacks {set(core) - set(licences)}"
        for name in core:
            assert licences[name]["licenseId"], (path, name)
            assert len(licences[name]["extractedText"]) > 200, (path, name)
    dompurify = licences["dompurify"]["extractedText"]
    assert "Apache License" in dompurify and "Mozilla Public License" in dompurify


def test_the_sidebar_answers_in_a_plain_install(no_node_env: tuple[dict[str, str], Path]) -> None:
    # `pip install chatkit-widget` without the `serve` extra: no FastAPI, and the server
    # extension must still answer a turn (it once imported FastAPI through `server/`).
    env, where = no_node_env
    probe = "import importlib.util as u; print(u.find_spec('fastapi') is None)"
    assert run(["python", "-c", probe], env, where).strip() == "True", "fastapi is installed"
    port, token = free_port(), "wheel-test-token"
    log = (where / "server.log").open("w")
    server = subprocess.Popen(
        [
            "jupyter",
            "server",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--ServerApp.allow_root=True",
            "--no-browser",
            f"--ServerApp.root_dir={where}",
        ],
        env=env,
        cwd=where,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"token {token}"},
            timeout=60,
        ) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/api/status").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, (where / "server.log").read_text()
                time.sleep(0.2)
            request = {
                "type": "threads.create",
                "params": {
                    "input": {
                        "content": [{"type": "input_text", "text": "count to 3"}],
                        "attachments": [],
                        "inference_options": {},
                    }
                },
            }
            answer = client.post("/chatkit-widget/chatkit", json=request)
            assert answer.status_code == 200, answer.text
            assert '"type":"assistant_message"' in answer.text.replace(" ", ""), answer.text[:2000]
            assert "1 2 3" in answer.text
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
