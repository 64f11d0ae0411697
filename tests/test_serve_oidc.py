"""``serve`` with an identity provider: tokens checked against a real JWKS endpoint on 127.0.0.1.

The provider is played by a small HTTP app serving a key set the test controls (RSA and EC keys
made here), so rotation, outages and forged tokens are real requests, not mocks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI, Response

from chatkit_widget._cli import main
from chatkit_widget.server import OIDCSettings, TokenError, _oidc, create_app
from chatkit_widget.server._oidc import JWKSVerifier
from tests.support.http_servers import serve_app
from tests.support.serve_target import make_agent

ISSUER = "https://idp.test/"
AUDIENCE = "chat-api"


@dataclass
class Provider:
    """The identity provider: signing keys by kid, and the JWKS it publishes."""

    url: str = ""
    keys: dict[str, Any] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    fetches: int = 0
    down: bool = False

    def add_key(self, kid: str, kind: str = "RSA", publish: bool = True) -> None:
        if kind == "RSA":
            self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.keys[kid] = ec.generate_private_key(ec.SECP256R1())
        if publish:
            self.published.append(kid)

    def jwks(self) -> dict[str, Any]:
        listed = []
        for kid in self.published:
            public = self.keys[kid].public_key()
            if isinstance(public, rsa.RSAPublicKey):
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
                jwk["alg"] = "RS256"
            else:
                jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public))
                jwk["alg"] = "ES256"
            listed.append({**jwk, "kid": kid, "use": "sig"})
        return {"keys": listed}

    def token(self, kid: str, **overrides: Any) -> str:
        now = int(time.time())
        claims = {"sub": "ada", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300}
        claims.update(overrides)
        key = self.keys[kid]
        algorithm = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
        return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture
def provider() -> Iterator[Provider]:
    idp = Provider()
    app = FastAPI()

    @app.get("/jwks.json")
    async def jwks() -> Any:
        idp.fetches += 1
        if idp.down:
            return Response(status_code=503)
        return idp.jwks()

    with serve_app(app) as url:
        idp.url = url + "/jwks.json"
        idp.add_key("rsa-1")
        idp.add_key("ec-1", kind="EC")
        yield idp


@pytest.fixture
def server(provider: Provider, tmp_path: Path) -> Iterator[str]:
    oidc = OIDCSettings(jwks_url=provider.url, issuer=ISSUER, audience=AUDIENCE)
    app = create_app(make_agent(), store=tmp_path / "team.sqlite", oidc=oidc)
    with serve_app(app) as url:
        yield url


def get(server: str, token: str) -> httpx.Response:
    return httpx.get(
        server + "/api/conversations", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def test_tokens_the_provider_signed_with_rsa_or_ec_keys_are_accepted(
    server: str, provider: Provider
) -> None:
    assert get(server, provider.token("rsa-1")).status_code == 200
    assert get(server, provider.token("ec-1", sub="grace")).status_code == 200
    assert provider.fetches == 1, "the key set is cached"
    # Each user sees their own conversations only.
    ada = {"Authorization": f"Bearer {provider.token('rsa-1')}", "Accept": "application/json"}
    turn = httpx.post(server + "/api/chat", json={"message": "echo: mine"}, headers=ada, timeout=30)
    assert turn.status_code == 200
    assert len(get(server, provider.token("rsa-1")).json()["conversations"]) == 1
    assert get(server, provider.token("ec-1", sub="grace")).json()["conversations"] == []


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"iss": "https://elsewhere.test/"}, f"not issued by {ISSUER}"),
        ({"aud": "another-api"}, f"not meant for this server ({AUDIENCE})"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"sub": ""}, "'sub' claim names no user"),
    ],
    ids=["wrong issuer", "wrong audience", "expired", "no user"],
)
def test_a_token_with_wrong_claims_gets_401_with_the_reason(
    server: str, provider: Provider, claims: dict[str, Any], reason: str
) -> None:
    response = get(server, provider.token("rsa-1", **claims))
    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_rotated_keys_are_fetched_when_an_unknown_kid_appears(
    server: str, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert get(server, provider.token("rsa-1")).status_code == 200
    provider.add_key("rsa-2", publish=False)
    unknown = get(server, provider.token("rsa-2"))
    assert unknown.status_code == 401
    assert "key the identity provider does not list" in unknown.json()["detail"]
    # The provider rotates: rsa-2 published, rsa-1 retired. No restart needed.
    provider.published = ["rsa-2", "ec-1"]
    monkeypatch.setattr(_oidc, "REFETCH_INTERVAL", 0.0)
    assert get(server, provider.token("rsa-2")).status_code == 200
    assert get(server, provider.token("rsa-1")).status_code == 401, "the retired key is gone"


def test_unknown_kids_cannot_make_every_request_fetch_the_key_set(
    server: str, provider: Provider
) -> None:
    assert get(server, provider.token("rsa-1")).status_code == 200
    for n in range(5):
        provider.add_key(f"forged-{n}", publish=False)
        assert get(server, provider.token(f"forged-{n}")).status_code == 401
    assert provider.fetches == 1, f"{provider.fetches} fetches within REFETCH_INTERVAL"


def test_alg_none_and_an_hs256_token_keyed_with_the_public_key_are_refused(
    server: str, provider: Provider
) -> None:
    claims = {"sub": "mallory", "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 300}
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})
    response = get(server, unsigned)
    assert response.status_code == 401 and "'none' is not accepted" in response.json()["detail"]

    # HS/RS confusion: an HMAC over the token keyed with the provider's *public* key.
    public_pem = (
        provider.keys["rsa-1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    forged = _hs256(claims, public_pem, kid="rsa-1")
    response = get(server, forged)
    assert response.status_code == 401 and "'HS256' is not accepted" in response.json()["detail"]
    # And an RS256 header on an EC key is refused too.
    es = provider.token("ec-1")
    header = _b64(json.dumps({"alg": "RS256", "kid": "ec-1", "typ": "JWT"}).encode())
    assert get(server, header + es[es.index(".") :]).status_code == 401


async def test_an_unreachable_provider_is_a_503_not_a_bad_token(provider: Provider) -> None:
    provider.down = True
    verifier = JWKSVerifier(OIDCSettings(jwks_url=provider.url, issuer=ISSUER, audience=AUDIENCE))
    with pytest.raises(_oidc.ProviderUnavailableError):
        await verifier.user_of(provider.token("rsa-1"))
    with pytest.raises(TokenError, match="malformed"):
        await verifier.user_of("not.a.token")


async def test_the_user_can_come_from_another_claim(provider: Provider) -> None:
    settings = OIDCSettings(
        jwks_url=provider.url, issuer=ISSUER, audience=AUDIENCE, user_claim="email"
    )
    verifier = JWKSVerifier(settings)
    assert await verifier.user_of(provider.token("rsa-1", email="ada@example.com")) == (
        "ada@example.com"
    )
    with pytest.raises(TokenError, match="'email' claim names no user"):
        await verifier.user_of(provider.token("rsa-1"))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--jwks-url", "https://idp.test/jwks.json"], "needs --issuer, --audience too"),
        (
            ["--jwks-url", "idp.test/jwks.json", "--issuer", ISSUER, "--audience", AUDIENCE],
            "--jwks-url must be an http(s) URL",
        ),
    ],
)
def test_incomplete_provider_flags_are_a_clear_usage_error(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "tests.support.serve_target:agent", *flags]) == 2
    assert message in capsys.readouterr().err


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256(claims: dict[str, Any], key: bytes, kid: str) -> str:
    header = _b64(json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"
