"""``create_app``: any openai-agents ``Agent`` behind an authenticated HTTP endpoint.

The app keeps no conversation state in memory: threads live in the store (a SQLite file, a
PostgreSQL database, or any ``ChatStore`` that keeps users apart), so several workers (and,
on PostgreSQL, several hosts) can serve one store.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from agents import set_tracing_disabled
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from .._agent_target import AgentOrFactory, load_target, resolve_agent
from ..backends._agent import AgentChatKitServer
from ..store import ChatStore, StoreUnavailableError, open_store
from . import _chatkit_routes, _sse_chat_routes
from ._access_log import AccessLog, log_requests
from ._auth import Authenticator, SecretVerifier, resolve_secret
from ._body_limit import DEFAULT_MAX_BODY, BodyLimit
from ._deps import ServerState
from ._oidc import JWKSVerifier, OIDCSettings
from ._rate_limit import RateLimit

log = logging.getLogger(__name__)
#: How ``chatkit-widget serve --workers N`` tells each worker what to serve.
TARGET_ENV = "CHATKIT_WIDGET_TARGET"
STORE_ENV = "CHATKIT_WIDGET_STORE"
#: ... and which identity provider's tokens it accepts (``OIDCSettings`` as JSON).
OIDC_ENV = "CHATKIT_WIDGET_OIDC"
#: ... and the largest request body, in bytes.
MAX_BODY_ENV = "CHATKIT_WIDGET_MAX_BODY"
#: ... and the browser origins allowed to call it (JSON list).
CORS_ENV = "CHATKIT_WIDGET_CORS_ORIGINS"
#: ... and how many turns each user may start (``30/minute``).
RATE_LIMIT_ENV = "CHATKIT_WIDGET_RATE_LIMIT"


def create_app(
    agent_or_factory: AgentOrFactory,
    *,
    store: str | Path | ChatStore,
    secret: str | None = None,
    oidc: OIDCSettings | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    cors_origins: Sequence[str] = (),
    rate_limit: RateLimit | None = None,
) -> FastAPI:
    """An ASGI app serving ``agent_or_factory`` over ChatKit's protocol and the SSE chat API.

    Routes: ``POST /chatkit`` (ChatKit), ``POST /api/chat``, ``GET /api/conversations``,
    ``GET /api/conversations/{id}/messages`` (the SSE chat API), and ``GET /health`` (no token
    needed).

    Args:
        agent_or_factory: An ``agents.Agent``, or a zero-argument callable returning one
            (called once, here).
        store: A SQLite file, a ``postgresql://`` URL, or a ``ChatStore`` that
            ``scopes_by_user`` (such as a ``PostgresStore``), that holds every conversation.
        secret: The token signing secret; defaults to ``CHATKIT_WIDGET_SECRET``.
        oidc: Accept tokens of this OpenID Connect provider instead of secret-signed ones.
        max_body: Request bodies over this many bytes get 413, unread and unstored.
        cors_origins: Browser pages on these origins (``https://app.example.com``) may call
            the API. Tokens travel in a header, never cookies, so no credentials are allowed.
        rate_limit: Turns each user may start (``RateLimit.parse("30/minute")``); beyond it,
            429 with ``Retry-After``. Counted in the store, so shared by workers on it.

    Raises:
        MissingSecretError: if there is no secret (and no ``oidc``).
        ValueError: if both ``secret`` and ``oidc`` are given, or an origin is not one.
        TypeError: if ``store`` is neither a path nor a ``ChatStore`` that keeps users apart.
        TargetError: if the factory fails or does not return an ``Agent``.

    Example:
        ```python
        app = create_app(my_agent, store="chats.sqlite")  # then: uvicorn.run(app)
        ```
    """
    auth = _authenticator(secret, oidc)
    origins = [check_origin(origin) for origin in cors_origins]
    agent = resolve_agent(agent_or_factory)
    chat_store = _server_store(store)
    logging.getLogger("chatkit").addFilter(_quiet_outages)
    # Tracing stays off: AgentChatKitServer disables it unless asked.
    # Exception text stays in the server's log: users of a deployment are not its operators.
    chatkit = AgentChatKitServer(agent, chat_store, expose_errors=False)
    # No /docs or /openapi.json: every route but /health and /ready requires a token.
    app = FastAPI(title="chatkit-widget", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.chatkit_widget = ServerState(
        chatkit=chatkit, store=chat_store, auth=auth, rate_limit=rate_limit
    )
    app.add_middleware(BodyLimit, max_bytes=max_body)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=["X-Conversation-Id"],
            allow_credentials=False,
        )
    app.add_middleware(AccessLog)  # added last, so outermost: it sees 413s and CORS answers
    app.include_router(_chatkit_routes.router)
    app.include_router(_sse_chat_routes.router)

    @app.exception_handler(StoreUnavailableError)
    async def store_unavailable(request: Request, exc: StoreUnavailableError) -> JSONResponse:
        """The database is down or restarting: a 503 worth retrying (the widget does)."""
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        detail = "The conversation store is unavailable right now; try again shortly."
        return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "2"})

    @app.get("/health")
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        """Readiness: the store answers too (a load balancer stops sending while it does not)."""
        try:
            await chat_store.thread_exists("thr_readiness_check")
        except Exception as exc:
            log.warning("/ready: %s", exc)  # the reason for the operator, not the prober
            detail = "The conversation store cannot be reached; the server's log says why."
            return JSONResponse({"status": "unavailable", "detail": detail}, status_code=503)
        return JSONResponse({"status": "ready"})

    return app


def _quiet_outages(record: logging.LogRecord) -> bool:
    """Drop ChatKit's traceback of a request the store's outage failed: the 503 logs one line.

    An outage fails every request at once; a traceback each would bury the reason.
    """
    error = record.exc_info[1] if record.exc_info else None
    return not isinstance(error, StoreUnavailableError)


def check_origin(origin: str) -> str:
    """``origin`` if it is one (``scheme://host[:port]``, or ``*``).

    Raises:
        ValueError: for a URL with a path, a bare host, or anything else.
    """
    if origin == "*":
        return origin
    parts = urlsplit(origin)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or origin != (f"{parts.scheme}://{parts.netloc}")
    ):
        raise ValueError(
            f"not an origin: {origin!r} (scheme://host[:port], e.g. https://app.example.com)"
        )
    return origin


def _authenticator(secret: str | None, oidc: OIDCSettings | None) -> Authenticator:
    if oidc is None:
        return SecretVerifier(resolve_secret(secret))
    if secret is not None:
        raise ValueError("give secret= or oidc=, not both: tokens come from one place")
    return JWKSVerifier(oidc)


def _server_store(store: str | Path | ChatStore) -> ChatStore:
    if isinstance(store, (str, Path)):
        return open_store(store)
    if not isinstance(store, ChatStore) or not store.scopes_by_user:
        # Every user would see every thread: the endpoint is shared, unlike a notebook.
        raise TypeError(
            "store must be a path or a ChatStore that keeps users' threads apart "
            f"(scopes_by_user), not {store!r}"
        )
    return store


def app_from_env() -> FastAPI:
    """The app uvicorn's workers build (factory mode): target and store come from env vars."""
    set_tracing_disabled(True)  # a worker process is ours: no traces leave it
    log_requests()
    spec = os.environ[TARGET_ENV]
    oidc = OIDCSettings(**json.loads(os.environ[OIDC_ENV])) if OIDC_ENV in os.environ else None
    rate = os.environ.get(RATE_LIMIT_ENV)
    return create_app(
        resolve_agent(load_target(spec), spec),
        store=os.environ[STORE_ENV],
        oidc=oidc,
        max_body=int(os.environ.get(MAX_BODY_ENV, DEFAULT_MAX_BODY)),
        cors_origins=json.loads(os.environ.get(CORS_ENV, "[]")),
        rate_limit=RateLimit.parse(rate) if rate else None,
    )
