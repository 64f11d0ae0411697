"""``c.ChatKitWidget.*``: what the sidebar's server serves, set through Jupyter's config."""

from __future__ import annotations

import re
from pathlib import Path

from traitlets import Enum, Float, TraitError, Unicode, validate
from traitlets.config import Configurable

#: ``scheme://...``: a database URL, which a SQLite path must not be mistaken for.
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class ChatKitWidget(Configurable):
    """Configuration of the JupyterLab sidebar's chat (``c.ChatKitWidget.agent = ...``)."""

    agent = Unicode(
        "",
        help="""The agent the sidebar runs, as MODULE:ATTR: an agents.Agent, or a function
        returning one (importable from the directory Jupyter started in). Empty: the demo
        task assistant, on OPENAI_API_KEY's model if set, else on the offline demo model.""",
    ).tag(config=True)

    store = Unicode(
        "",
        help="""The SQLite file holding the sidebar's conversations. Empty:
        chatkit_widget/sidebar.sqlite in the Jupyter data directory.""",
    ).tag(config=True)

    remote_url = Unicode(
        "",
        help="""A remote server the sidebar talks to instead of running an agent here: a
        ChatKit endpoint (remote_kind "chatkit", e.g. https://chat.example.com/chatkit) or an
        SSE chat API (remote_kind "sse", e.g. https://api.example.com/api/chat).""",
    ).tag(config=True)

    remote_kind = Enum(
        ["chatkit", "sse"], "chatkit", help="What remote_url speaks: ChatKit or the SSE chat API."
    ).tag(config=True)

    remote_token_env = Unicode(
        "",
        help="""The name of the Jupyter server's environment variable holding the bearer token
        for remote_url. The token stays in the server process: it never reaches the browser.""",
    ).tag(config=True)

    keepalive = Float(
        10.0,
        help="Seconds between keepalive comments on an idle stream (proxies close silent ones).",
    ).tag(config=True)

    reattach_grace = Float(
        10.0,
        help="""Seconds a turn keeps running after its last reader went away (a reloaded page
        reattaches in that time); then it is stopped and its partial reply kept.""",
    ).tag(config=True)

    @validate("agent")
    def _check_agent(self, proposal: dict[str, str]) -> str:
        value = proposal["value"].strip()
        module, colon, attr = value.partition(":")
        if value and (not colon or not module or not attr):
            raise TraitError(f"ChatKitWidget.agent must be MODULE:ATTR, got {value!r}")
        return value

    @validate("store")
    def _check_store(self, proposal: dict[str, str]) -> str:
        value = proposal["value"].strip()
        if _URL.match(value):
            raise TraitError(f"ChatKitWidget.store is a SQLite file path, not a URL: {value!r}")
        return value

    @validate("remote_url")
    def _check_remote_url(self, proposal: dict[str, str]) -> str:
        value = proposal["value"].strip()
        if value and not value.startswith(("http://", "https://")):
            raise TraitError(f"ChatKitWidget.remote_url must be an http(s) URL, got {value!r}")
        return value

    def check(self) -> None:
        """Settings that contradict each other.

        Raises:
            ValueError: with what to change.
        """
        if self.agent and self.remote_url:
            raise ValueError(
                "ChatKitWidget.agent and ChatKitWidget.remote_url are both set: the sidebar "
                "runs an agent here or talks to a remote server, not both."
            )
        if self.remote_token_env and not self.remote_url:
            raise ValueError("ChatKitWidget.remote_token_env is set without remote_url.")

    def store_path(self) -> Path:
        """The SQLite file conversations live in."""
        if self.store:
            return Path(self.store).expanduser()
        from jupyter_core.paths import jupyter_data_dir

        return Path(jupyter_data_dir()) / "chatkit_widget" / "sidebar.sqlite"
