"""Bearer tokens: HS256 JWTs whose ``sub`` claim names the user."""

from __future__ import annotations

import os
import time

import jwt

SECRET_ENV = "CHATKIT_WIDGET_SECRET"
ALGORITHM = "HS256"
DEFAULT_EXPIRES_IN = 86400


class TokenError(ValueError):
    """A token that does not authenticate anyone (bad signature, expired, no ``sub``...)."""


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
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("The token has expired.") from exc
    except jwt.InvalidSignatureError as exc:
        raise TokenError("The token's signature is invalid.") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise TokenError(f"The token has no {exc.claim!r} claim.") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenError(f"The token is invalid: {exc}") from exc
    user = claims.get("sub")
    if not isinstance(user, str) or not user:
        raise TokenError("The token's 'sub' claim names no user.")
    return user
