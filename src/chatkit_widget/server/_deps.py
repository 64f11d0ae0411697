"""What every route needs: the app's shared state and the authenticated user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request

from ..backends._agent import AgentChatKitServer
from ..store import ChatStore
from ._auth import TokenError, verify_token


@dataclass(frozen=True)
class ServerState:
    """One app's ChatKit server, store and signing secret (no conversation state)."""

    chatkit: AgentChatKitServer
    store: ChatStore
    secret: str


def state_of(request: Request) -> ServerState:
    """The state ``create_app`` attached to the app."""
    return cast(ServerState, request.app.state.chatkit_widget)


def unauthorized(detail: str) -> HTTPException:
    """A 401 that tells the client to send a bearer token."""
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def not_found(what: str = "Conversation") -> HTTPException:
    """The same 404 for "someone else's" and "does not exist", so existence does not leak."""
    return HTTPException(status_code=404, detail=f"{what} not found.")


def current_user(request: Request) -> str:
    """The ``sub`` of the request's valid bearer token.

    Raises:
        HTTPException: 401 when the token is missing, malformed, badly signed or expired.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Missing bearer token: send 'Authorization: Bearer <token>'.")
    try:
        return verify_token(token.strip(), state_of(request).secret)
    except TokenError as exc:
        raise unauthorized(str(exc)) from exc


User = Annotated[str, Depends(current_user)]
