"""The ``chatkit-widget`` command: ``serve`` an agent over HTTP, mint a ``token`` for it.

FastAPI, uvicorn and PyJWT (the ``serve`` extra) are imported only when a command needs them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server._oidc import OIDCSettings

DEFAULT_STORE = "chatkit-widget-server.sqlite"
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "token":
            return _token(args)
        return _serve(args)
    except ImportError as exc:
        print(
            f"chatkit-widget: {exc}. Install the server extra: pip install 'chatkit-widget[serve]'",
            file=sys.stderr,
        )
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatkit-widget", description="Serve an openai-agents Agent over ChatKit's protocol."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve an Agent behind an authenticated HTTP endpoint",
        description="Serve MODULE:ATTR (an agents.Agent or a function returning one). "
        "Tokens are signed with the CHATKIT_WIDGET_SECRET environment variable.",
    )
    serve.add_argument("target", metavar="MODULE:ATTR", help="e.g. my_agents:agent")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument(
        "--store",
        default=os.environ.get("CHATKIT_WIDGET_STORE", DEFAULT_STORE),
        metavar="FILE|URL",
        help="where conversations live: a SQLite file, or a postgresql:// URL that every worker "
        f"and host shares (CHATKIT_WIDGET_STORE, else {DEFAULT_STORE})",
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (1)")
    serve.add_argument(
        "--max-body",
        default="1MB",
        metavar="SIZE",
        help="refuse larger requests with 413, unread (1MB; e.g. 512KB, 2000)",
    )
    serve.add_argument(
        "--rate-limit",
        metavar="N/UNIT",
        help="turns each user may start per second, minute or hour (e.g. 30/minute); 429 beyond",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let browser pages on ORIGIN call the API (repeatable; e.g. https://app.example.com)",
    )
    idp = serve.add_argument_group(
        "identity provider",
        "Accept tokens of an OpenID Connect provider (checked against its published keys) "
        "instead of tokens signed with CHATKIT_WIDGET_SECRET. All three are needed together.",
    )
    idp.add_argument("--jwks-url", metavar="URL", help="the provider's key set (its jwks_uri)")
    idp.add_argument("--issuer", metavar="ISS", help="the exact 'iss' of its tokens")
    idp.add_argument("--audience", metavar="AUD", help="the 'aud' of tokens meant for this server")
    idp.add_argument(
        "--user-claim", default="sub", metavar="CLAIM", help="the claim naming the user (sub)"
    )
    token = commands.add_parser(
        "token",
        help="print a bearer token for a user",
        description="Print an HS256 JWT signed with CHATKIT_WIDGET_SECRET.",
    )
    token.add_argument("--user", required=True, help="who the token authenticates (its sub)")
    token.add_argument(
        "--expires-in", type=int, default=86400, metavar="SECONDS", help="lifetime (86400)"
    )
    return parser


def _token(args: argparse.Namespace) -> int:
    from .server._auth import MissingSecretError, mint_token

    try:
        print(mint_token(args.user, expires_in=args.expires_in))
    except (MissingSecretError, ValueError) as exc:
        print(f"chatkit-widget: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def _serve(args: argparse.Namespace) -> int:
    from ._agent_target import TargetError, load_target, resolve_agent
    from .server._app import (
        CORS_ENV,
        MAX_BODY_ENV,
        OIDC_ENV,
        RATE_LIMIT_ENV,
        STORE_ENV,
        TARGET_ENV,
        check_origin,
        create_app,
    )
    from .server._auth import MissingSecretError, resolve_secret
    from .store import StoreUnavailableError

    if args.workers < 1:
        print("chatkit-widget: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    from .server._body_limit import parse_size
    from .server._rate_limit import RateLimit

    try:
        max_body = parse_size(args.max_body)
        origins = [check_origin(origin) for origin in args.cors_origin]
        rate = RateLimit.parse(args.rate_limit) if args.rate_limit else None
        oidc = _oidc_settings(args)
        if oidc is None:
            resolve_secret()
    except (MissingSecretError, ValueError) as exc:
        print(f"chatkit-widget: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:  # before importing the agent (seconds): a wrong store is told at once
        store = _open_store(args.store)
    except ValueError as exc:
        print(f"chatkit-widget: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreUnavailableError as exc:  # its text names the URL without its password
        print(f"chatkit-widget: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"chatkit-widget: cannot open the SQLite file {args.store!r}: {exc}", file=sys.stderr)
        return 1
    try:
        agent = resolve_agent(load_target(args.target), args.target)
    except TargetError as exc:
        print(f"chatkit-widget: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from agents import set_tracing_disabled

    set_tracing_disabled(True)  # the process is ours: no traces leave it, whatever runs
    banner = (
        f"Serving {args.target} at http://{args.host}:{args.port}  "
        "(ChatKit: /chatkit, chat API: /api/chat)"
    )
    if args.workers == 1:
        app = create_app(
            agent, store=store, oidc=oidc, max_body=max_body, cors_origins=origins, rate_limit=rate
        )
        return _run(app, args, banner)
    # Each worker process imports the target itself; they share the store.
    os.environ[TARGET_ENV], os.environ[STORE_ENV] = args.target, store
    os.environ[MAX_BODY_ENV] = str(max_body)
    os.environ[CORS_ENV] = json.dumps(origins)
    if rate is not None:
        os.environ[RATE_LIMIT_ENV] = str(rate)
    if oidc is not None:
        os.environ[OIDC_ENV] = json.dumps(dataclasses.asdict(oidc))
    return _run("chatkit_widget.server._app:app_from_env", args, banner)


def _open_store(spec: str) -> str:
    """The store ``--store`` names, created or migrated now, before any worker races to.

    Returns what the workers open: the file's absolute path, or the URL.

    Raises:
        ValueError: for a URL that is neither a file nor ``postgresql://``.
        StoreUnavailableError: if the PostgreSQL server cannot be reached.
    """
    from .store import PostgresStore, open_store

    if "://" not in spec:
        spec = str(Path(spec).expanduser().resolve())
    store = open_store(spec)
    try:
        if isinstance(store, PostgresStore):
            store.connect_sync()
    finally:
        store.close()
    return spec


def _oidc_settings(args: argparse.Namespace) -> OIDCSettings | None:
    """The provider the flags name, if any.

    Raises:
        ValueError: if only some of --jwks-url, --issuer, --audience are given, or the URL is
            not http(s).
    """
    from .server._oidc import OIDCSettings

    given = {"--jwks-url": args.jwks_url, "--issuer": args.issuer, "--audience": args.audience}
    if not any(given.values()):
        return None
    missing = [flag for flag, value in given.items() if not value]
    if missing:
        raise ValueError(f"an identity provider needs {', '.join(missing)} too")
    if not args.jwks_url.startswith(("https://", "http://")):
        raise ValueError(f"--jwks-url must be an http(s) URL, not {args.jwks_url!r}")
    return OIDCSettings(args.jwks_url, args.issuer, args.audience, args.user_claim)


def _run(app: Any, args: argparse.Namespace, banner: str) -> int:
    """Serve until interrupted; 1 if the server could not start."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    class Server(uvicorn.Server):
        """Prints the banner once the socket listens, so a caller can wait for it."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(banner, flush=True)

    from .server._access_log import log_requests

    log_requests()  # one JSON line per request (`server._access_log`), instead of uvicorn's
    workers = args.workers > 1
    config = uvicorn.Config(
        app,  # an ASGI app, or the factory's import string for workers
        host=args.host,
        port=args.port,
        workers=args.workers,
        factory=workers,
        log_level="info",
        access_log=False,
        # A worker imports openai-agents and the user's module before it answers the
        # supervisor's first health check: uvicorn's 5 s default kills slow starters.
        timeout_worker_healthcheck=60,
    )
    if not workers:
        server = Server(config)
        server.run()
        return 0 if server.started else 1
    sock = config.bind_socket()
    sock.listen(config.backlog)  # connections wait in the backlog until a worker accepts
    print(banner, flush=True)
    Multiprocess(config, sockets=[sock]).run()
    return 0
