"""What every route needs: the app's shared state and the authenticated user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request

from ..backends._agent import AgentChatKitServer
from ..store import ChatStore
from ._auth import Authenticator, ProviderUnavailableError, TokenError
from ._rate_limit import RateLimit, check_turn


@dataclass(frozen=True)
class ServerState:
    """One app's ChatKit server, store and authenticator (no conversation state)."""

    chatkit: AgentChatKitServer
    store: ChatStore
    auth: Authenticator
    #: Turns each user may start (``None``: no limit).
    rate_limit: RateLimit | None = None

    async def count_turn(self, user: str) -> None:
        """Count a turn ``user`` starts against the limit; 429 beyond it."""
        if self.rate_limit is not None:
            await check_turn(self.store, user, self.rate_limit)


def state_of(request: Request) -> ServerState:
    """The state ``create_app`` attached to the app."""
    return cast(ServerState, request.app.state.chatkit_widget)


def unauthorized(detail: str) -> HTTPException:
    """A 401 that tells the client to send a bearer token."""
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def not_found(what: str = "Conversation") -> HTTPException:
    """The same 404 for "someone else's" and "does not exist", so existence does not leak."""
    return HTTPException(status_code=404, detail=f"{what} not found.")


async def current_user(request: Request) -> str:
    """The user the request's valid bearer token names.

    Raises:
        HTTPException: 401 when the token is missing, malformed, badly signed or expired;
            503 when the identity provider's keys cannot be read.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Missing bearer token: send 'Authorization: Bearer <token>'.")
    try:
        user = await state_of(request).auth.user_of(token.strip())
    except TokenError as exc:
        raise unauthorized(str(exc)) from exc
    except ProviderUnavailableError as exc:
        raise HTTPException(status_code=503, detail=str(exc), headers={"Retry-After": "5"}) from exc
    request.state.user = user  # for the access log (`_access_log`)
    return user


User = Annotated[str, Depends(current_user)]
