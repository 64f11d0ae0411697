"""Tokens from an OpenID Connect provider (Auth0, Okta, Entra ID, Keycloak, Google...).

The provider signs tokens with a private key and publishes the public keys as a JWKS. A token
is accepted when its header names a listed key (``kid``) and an accepted asymmetric algorithm,
its signature verifies with that key, and its issuer, audience and expiry are right. Keys are
cached; a token naming a ``kid`` the cache lacks fetches the set again (the provider rotated its
keys), at most once per ``REFETCH_INTERVAL`` so random ``kid`` values cannot turn every request
into a fetch.

Only RS256 and ES256 are accepted: with an asymmetric key there is no secret to confuse an HS256
token with, and ``alg: none`` never passes.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Final

import httpx
import jwt

from ._auth import ProviderUnavailableError, TokenError, rejection

#: The algorithms a provider's token may use.
ALGORITHMS: Final = ("RS256", "ES256")
#: At least this many seconds between two fetches of the key set.
REFETCH_INTERVAL: Final = 30.0
#: Clock difference tolerated on ``exp``, ``nbf`` and ``iat`` (seconds).
LEEWAY: Final = 30


@dataclass(frozen=True)
class OIDCSettings:
    """Where the keys are and what a token must say.

    Args:
        jwks_url: The provider's key set (``jwks_uri`` in its discovery document).
        issuer: The exact ``iss`` its tokens carry.
        audience: The ``aud`` tokens meant for this server carry.
        user_claim: The claim that names the user (``sub`` by default).
    """

    jwks_url: str
    issuer: str
    audience: str
    user_claim: str = "sub"


class JWKSVerifier:
    """Verifies provider tokens against the provider's published keys."""

    def __init__(self, settings: OIDCSettings, *, timeout: float = 10.0) -> None:
        self.settings = settings
        self._timeout = timeout
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._fetching = asyncio.Lock()

    async def user_of(self, token: str) -> str:
        """The user a provider token names.

        Raises:
            TokenError: with the reason, for any token that does not authenticate a user.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise TokenError("The token is malformed.") from exc
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise TokenError(
                f"The token's algorithm {algorithm!r} is not accepted ({', '.join(ALGORITHMS)})."
            )
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenError("The token names no signing key ('kid').")
        key = await self._key(kid)
        if key is None:
            raise TokenError("The token was signed with a key the identity provider does not list.")
        if key.algorithm_name != algorithm:
            raise TokenError(f"The token's algorithm {algorithm!r} does not match its key.")
        claims = _decode(token, key, algorithm, self.settings)
        user = claims.get(self.settings.user_claim)
        if not isinstance(user, str) or not user:
            raise TokenError(f"The token's {self.settings.user_claim!r} claim names no user.")
        return user

    async def _key(self, kid: str) -> jwt.PyJWK | None:
        if kid in self._keys:
            return self._keys[kid]
        async with self._fetching:  # one fetch for many requests waiting on a new kid
            if kid not in self._keys and self._may_fetch():
                self._keys = await self._fetch()
        return self._keys.get(kid)

    def _may_fetch(self) -> bool:
        now = time.monotonic()
        if self._fetched_at is not None and now - self._fetched_at < REFETCH_INTERVAL:
            return False
        self._fetched_at = now
        return True

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        """The provider's signing keys by ``kid``.

        Raises:
            ProviderUnavailableError: if the key set cannot be fetched or read.
        """
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.get(self.settings.jwks_url)
                response.raise_for_status()
                listed = response.json().get("keys", [])
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            raise ProviderUnavailableError(
                f"The identity provider's keys could not be read ({type(exc).__name__})."
            ) from exc
        keys: dict[str, jwt.PyJWK] = {}
        for data in listed if isinstance(listed, list) else []:
            key = _signing_key(data)
            if key is not None:
                keys[data["kid"]] = key
        return keys


def _signing_key(data: Any) -> jwt.PyJWK | None:
    """A JWKS entry as a key, or None for entries that cannot sign tokens here."""
    if not isinstance(data, dict) or not isinstance(data.get("kid"), str):
        return None
    if data.get("use", "sig") != "sig":
        return None
    algorithm = data.get("alg") or {"RSA": "RS256", "EC": "ES256"}.get(str(data.get("kty")))
    if algorithm not in ALGORITHMS:
        return None
    try:
        return jwt.PyJWK(data, algorithm=algorithm)
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
        return None


def _decode(token: str, key: jwt.PyJWK, algorithm: str, settings: OIDCSettings) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.InvalidTokenError as exc:
        raise rejection(exc, issuer=settings.issuer, audience=settings.audience) from exc
    return claims
