"""Bearer tokens: who a request comes from.

Two ways to tell: HS256 JWTs signed with the server's own secret (``SecretVerifier``, for
development and small setups; ``mint_token`` makes them), or tokens from an OpenID Connect
provider (``_oidc.JWKSVerifier``). Both are an ``Authenticator``.
"""

from __future__ import annotations

import os
import time
from typing import Protocol

import jwt

SECRET_ENV = "CHATKIT_WIDGET_SECRET"
ALGORITHM = "HS256"
DEFAULT_EXPIRES_IN = 86400


class TokenError(ValueError):
    """A token that does not authenticate anyone (bad signature, expired, no ``sub``...)."""


class Authenticator(Protocol):
    """Turns a bearer token into the user it authenticates."""

    async def user_of(self, token: str) -> str:
        """The user; raises ``TokenError`` with the reason when the token is not good."""
        ...


class ProviderUnavailableError(RuntimeError):
    """The identity provider's keys could not be read: no token can be checked right now."""


class SecretVerifier:
    """Authenticates HS256 tokens signed with ``secret`` (``mint_token``)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def __repr__(self) -> str:
        return "SecretVerifier(secret=<hidden>)"

    async def user_of(self, token: str) -> str:
        return verify_token(token, self._secret)


class MissingSecretError(RuntimeError):
    """No signing secret was given and ``CHATKIT_WIDGET_SECRET`` is not set."""


def resolve_secret(secret: str | None = None) -> str:
    """``secret``, or else the ``CHATKIT_WIDGET_SECRET`` environment variable.

    Raises:
        MissingSecretError: if neither is set.
    """
    secret = secret or os.environ.get(SECRET_ENV)
    if not secret:
        raise MissingSecretError(
            f"No signing secret: set the {SECRET_ENV} environment variable, e.g. "
            f"export {SECRET_ENV}=\"$(python -c 'import secrets; print(secrets.token_hex(32))')\""
        )
    return secret


def mint_token(
    user: str, *, secret: str | None = None, expires_in: int = DEFAULT_EXPIRES_IN
) -> str:
    """A signed token for ``user`` (claims ``sub``, ``iat``, ``exp``).

    Args:
        user: Who the token authenticates; becomes the ``sub`` claim.
        secret: The signing secret; defaults to ``CHATKIT_WIDGET_SECRET``.
        expires_in: Seconds until the token expires.

    Raises:
        ValueError: for an empty user or a non-positive lifetime.
        MissingSecretError: if there is no secret.
    """
    if not user:
        raise ValueError("user must be a non-empty string")
    if expires_in <= 0:
        raise ValueError("expires_in must be a positive number of seconds")
    now = int(time.time())
    claims = {"sub": user, "iat": now, "exp": now + expires_in}
    return jwt.encode(claims, resolve_secret(secret), algorithm=ALGORITHM)


def verify_token(token: str, secret: str) -> str:
    """The user a token authenticates.

    Raises:
        TokenError: if the signature is wrong, the token expired or names no user.
    """
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]}
        )
    except jwt.InvalidTokenError as exc:
        raise rejection(exc) from exc
    user = claims.get("sub")
    if not isinstance(user, str) or not user:
        raise TokenError("The token's 'sub' claim names no user.")
    return user


def rejection(
    exc: jwt.InvalidTokenError, *, issuer: str | None = None, audience: str | None = None
) -> TokenError:
    """The ``TokenError`` that says, in words a client can act on, why PyJWT refused a token."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return TokenError("The token has expired.")
    if isinstance(exc, jwt.InvalidIssuerError):
        return TokenError(f"The token was not issued by {issuer}.")
    if isinstance(exc, jwt.InvalidAudienceError):
        return TokenError(f"The token is not meant for this server ({audience}).")
    if isinstance(exc, jwt.InvalidSignatureError):
        return TokenError("The token's signature is invalid.")
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return TokenError(f"The token has no {exc.claim!r} claim.")
    if isinstance(exc, jwt.DecodeError):  # PyJWT's words here are about codecs and padding
        return TokenError("The token is not a JWT (header.payload.signature, base64url).")
    return TokenError(f"The token is invalid: {exc}")
