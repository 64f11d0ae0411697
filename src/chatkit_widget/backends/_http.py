"""HTTP to a remote chat endpoint: bearer auth, token refresh, retries with backoff, SSE frames.

Both remote backends read a response through ``Endpoint.frames``, which yields, in order:
``Retrying`` notices while it waits to try again (the UI shows them), ``Opened`` (with the
response headers) once the server accepts, then either the SSE ``data`` payloads of a streamed
answer or one ``JsonBody``. Everything that can fail before
the first payload arrives is retried; a failure after it is a ``StreamCut``, because a
retried request would answer the turn a second time.

The token lives only here, in Python: it goes into the ``Authorization`` header of each
request and nowhere else (not into reprs, messages or logs).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import math
import socket
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger("chatkit_widget.remote")

#: A function returning a fresh token, called when the server answers 401 (sync or async).
TokenProvider = Callable[[], "str | Awaitable[str]"]

#: Failures of the network or the server's connection: worth another attempt while nothing of
#: the answer has arrived. (Not httpx's LocalProtocolError and the like: a retry cannot fix them.)
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
#: The longest SSE line kept (bytes): a base64 image in a tool row fits, a runaway stream does not.
MAX_LINE = 64 * 1024 * 1024
#: The longest ``Retry-After`` a turn waits for (seconds); a longer one fails the turn.
MAX_RETRY_AFTER = 300.0


@dataclass(frozen=True)
class RetryConfig:
    """How a remote backend retries a request that failed before the answer began.

    Args:
        max_retries: Further attempts after the first (``0``: never retry).
        retry_delay: Seconds before the first retry; each next one waits ``backoff`` times longer.
        max_delay: The longest wait between attempts (a server's ``Retry-After`` is honoured
            even when longer).
        backoff: The growth factor of the wait.
    """

    max_retries: int = 3
    retry_delay: float = 1.0
    max_delay: float = 30.0
    backoff: float = 2.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.retry_delay < 0 or self.max_delay < 0 or self.backoff < 1:
            raise ValueError("retry_delay and max_delay must be >= 0, and backoff >= 1")

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (counting from 0)."""
        return float(min(self.max_delay, self.retry_delay * self.backoff**retry))


class RemoteError(Exception):
    """A request to the remote endpoint failed; the message is safe to show the user."""

    def __init__(self, message: str, *, allow_retry: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.allow_retry = allow_retry
        #: The HTTP status that refused the request, if one did.
        self.status = status


class StreamCut(RemoteError):
    """The answer stopped before it finished (the connection dropped or stalled)."""


@dataclass(frozen=True)
class Retrying:
    """The request failed and will be tried again after ``seconds``; ``text`` says so."""

    text: str
    seconds: float


@dataclass(frozen=True)
class Opened:
    """The server accepted the request; its answer (payloads or JSON) follows."""

    headers: httpx.Headers


@dataclass(frozen=True)
class JsonBody:
    """The server answered with one JSON document instead of a stream."""

    value: Any


Frame = Retrying | Opened | JsonBody | str


class Endpoint:
    """Requests to one server, authenticated, retried and read frame by frame.

    Args:
        token: Sent as ``Authorization: Bearer <token>``.
        token_provider: Called (sync or async) for a fresh token after a 401; also for the
            first token when ``token`` is ``None``. A sync one runs in a worker thread, so a
            slow one does not freeze the kernel.
        headers: Extra headers for every request.
        retry: How to retry failures that happen before the answer begins.
        timeout: Seconds to wait to connect, and between two pieces of the answer.
    """

    def __init__(
        self,
        *,
        token: str | None,
        token_provider: TokenProvider | None,
        headers: Mapping[str, str] | None,
        retry: RetryConfig | None,
        timeout: float | httpx.Timeout,
    ) -> None:
        if token is not None:
            _check_token(token)
        if token_provider is not None and not callable(token_provider):
            raise TypeError("token_provider must be a function returning a token")
        self._token = token
        self._provider = token_provider
        self._headers = _checked_headers(headers or {})
        self.retry = retry or RetryConfig()
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        # One renewal at a time per event loop: concurrent 401s share one fresh token (a
        # provider with rotating refresh tokens would otherwise invalidate its own answers).
        self._renewals: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:  # never the token
        auth = "token_provider" if self._provider else "token" if self._token else "no auth"
        return f"Endpoint({auth}, {self.retry})"

    async def frames(
        self,
        url: str,
        body: Any,
        *,
        method: str = "POST",
        stream: bool = True,
        max_retries: int | None = None,
    ) -> AsyncIterator[Frame]:
        """Send a request; yield retry notices, then the answer's SSE payloads or its JSON.

        Raises:
            RemoteError: when the server refuses the request, or it still fails after
                ``max_retries`` retries (``allow_retry``: whether trying later may help).
            StreamCut: when the answer breaks off once the server has accepted the request
                (sending it again could answer the turn twice).
        """
        renewed = False
        retries = 0
        max_retries = self.retry.max_retries if max_retries is None else max_retries
        accept = "text/event-stream, application/json" if stream else "application/json"
        while True:
            if self._token is None and self._provider is not None:
                await self._renew(None)
            sent_token = self._token
            failure: _Failure | None = None
            # A client per attempt: a retry must not reuse a pooled connection that the server
            # may have closed while we waited (a keep-alive timeout reads as a failure).
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                request = client.build_request(
                    method, url, json=body, headers=self._request_headers(accept)
                )
                accepted = False
                try:
                    response = await client.send(request, stream=True)
                    try:
                        if response.status_code < 300:
                            accepted = True
                            yield Opened(response.headers)
                            async for frame in _read(response):
                                yield frame
                            return
                        await response.aread()
                    finally:
                        await response.aclose()
                except _TRANSIENT as exc:
                    if accepted:
                        raise StreamCut(_cut_text(exc, url), allow_retry=True) from None
                    failure = _Failure(_capitalised(_transport_text(exc, url)))
                except httpx.TransportError as exc:  # a proxy refusing, a malformed request...
                    raise RemoteError(
                        _capitalised(f"{_transport_text(exc, url)}."), allow_retry=False
                    ) from None
            if failure is None:  # the server answered with an error status
                if response.status_code == 401 and self._provider is not None and not renewed:
                    renewed = True  # an expired token: renew it and try once more, unseen
                    await self._renew(sent_token)
                    continue
                failure = self._judge(response, renewed)
            if retries >= max_retries:
                tries = "once" if retries == 0 else f"{retries + 1} times"
                raise RemoteError(f"{failure.reason} (tried {tries}).", allow_retry=True)
            seconds = failure.wait if failure.wait is not None else self.retry.delay(retries)
            retries += 1
            text = (
                f"Rate limited, retrying in {_seconds(seconds)}"
                if failure.rate_limited
                else f"{failure.reason}; retrying in {_seconds(seconds)} "
                f"(retry {retries} of {max_retries})"
            )
            log.info("chatkit-widget: %s", text)
            yield Retrying(text, seconds)
            await asyncio.sleep(seconds)

    async def json(
        self, url: str, body: Any = None, *, method: str = "POST", max_retries: int | None = None
    ) -> Any:
        """The JSON answer to a request (retried like ``frames``; notices are only logged).

        Raises:
            RemoteError: as ``frames``, and when the answer is not JSON.
        """
        frames = self.frames(url, body, method=method, stream=False, max_retries=max_retries)
        async for frame in frames:
            if isinstance(frame, JsonBody):
                return frame.value
            if isinstance(frame, str):
                raise RemoteError(
                    f"{_host(url)} streamed an answer where JSON was expected.", allow_retry=False
                )
        raise RemoteError(f"{_host(url)} sent an empty answer.", allow_retry=False)

    def _judge(self, response: httpx.Response, renewed: bool) -> _Failure:
        """What an error status means: a failure worth retrying, or a ``RemoteError``."""
        status, host = response.status_code, _host(str(response.url))
        if status == 401:
            raise RemoteError(_not_authorized(host, renewed), allow_retry=False, status=status)
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            where = shown_url(location) if urlsplit(location).netloc else location.split("?")[0]
            raise RemoteError(
                f"{host} redirected the request to {where or 'another URL'}: use that URL instead.",
                allow_retry=False,
                status=status,
            )
        if status not in (408, 429) and status < 500:
            raise RemoteError(self._refused(response), allow_retry=False, status=status)
        wait = _retry_after(response)  # 429 and 503 may say how long to wait
        if wait is not None and wait > max(self.retry.max_delay, MAX_RETRY_AFTER):
            raise RemoteError(
                f"{host} is {'rate limiting' if status == 429 else 'unavailable'} and asks to "
                f"wait {_seconds(wait)}; try again later.",
                allow_retry=True,
                status=status,
            )
        if status == 429:
            return _Failure("Rate limited", wait if wait is not None else None, rate_limited=True)
        return _Failure(f"{host} answered {status} {response.reason_phrase}", wait)

    def _refused(self, response: httpx.Response) -> str:
        detail = ""
        try:
            body = response.json()
            if isinstance(body, dict):
                found = body.get("detail") or body.get("error") or body.get("message")
                detail = found if isinstance(found, str) else json.dumps(found) if found else ""
        except ValueError:
            detail = response.text.strip()
        if self._token:  # a server that echoes what it was sent must not show the token
            detail = detail.replace(self._token, "[token]")
        detail = detail[:300]
        phrase = response.reason_phrase
        base = f"{_host(str(response.url))} refused the request: {response.status_code} {phrase}"
        return f"{base}: {detail}" if detail and detail != phrase else f"{base}."

    def _request_headers(self, accept: str) -> dict[str, str]:
        headers = {"Accept": accept, **self._headers}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    async def _renew(self, rejected: str | None) -> None:
        """Get a fresh token, unless another request renewed the rejected one meanwhile."""
        loop = asyncio.get_running_loop()
        lock = self._renewals.setdefault(loop, asyncio.Lock())
        async with lock:
            if self._token is not None and self._token != rejected:
                return
            self._token = await self._fresh_token()

    async def _fresh_token(self) -> str:
        provider = self._provider
        assert provider is not None
        try:
            if inspect.iscoroutinefunction(provider):
                token = await provider()
            else:
                token = await asyncio.to_thread(provider)
                if inspect.isawaitable(token):
                    token = await token
        except Exception as exc:
            # The provider's own message may hold credentials: name the failure only.
            raise RemoteError(
                f"Not authorized: the token_provider failed ({type(exc).__name__}).",
                allow_retry=False,
            ) from None
        if not isinstance(token, str):
            raise RemoteError(
                f"Not authorized: the token_provider returned {type(token).__name__}, not str.",
                allow_retry=False,
            )
        _check_token(token)
        return token


@dataclass(frozen=True)
class _Failure:
    """A failed attempt worth retrying: why (for the user), how long the server asks to wait."""

    reason: str
    wait: float | None = None
    rate_limited: bool = False


async def _read(response: httpx.Response) -> AsyncIterator[Frame]:
    """The answer's frames: SSE ``data`` payloads, or one JSON document."""
    content_type = response.headers.get("content-type", "")
    if "text/event-stream" not in content_type:
        raw = await response.aread()
        try:
            yield JsonBody(json.loads(raw) if raw.strip() else None)
        except ValueError:
            raise RemoteError(
                f"{_host(str(response.url))} answered {content_type or 'an unknown type'}, "
                "not JSON or an event stream.",
                allow_retry=False,
            ) from None
        return
    async for payload in sse_payloads(response.aiter_bytes()):
        yield payload


async def sse_payloads(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """The ``data`` payloads of a server-sent event stream, however its bytes are split.

    Lines that are neither fields nor comments are skipped with a warning; bytes that are not
    UTF-8 are replaced, so a payload holding them fails to parse later and is skipped there.
    """
    partial = bytearray()  # the unfinished line; only new bytes are searched for line ends
    skipping = False  # inside a line too long to keep: drop bytes up to its end
    data: list[str] = []
    async for chunk in chunks:
        if b"\n" not in chunk:
            if not skipping:
                partial += chunk
            if len(partial) > MAX_LINE:
                log.warning("chatkit-widget: skipped an SSE line of over %d bytes", MAX_LINE)
                partial.clear()
                skipping = True
            continue
        first, *lines = chunk.split(b"\n")
        lines.insert(0, b"" if skipping else bytes(partial) + first)
        if skipping:  # the long line ends here: its last piece is no line of its own
            lines.pop(0)
            skipping = False
        partial = bytearray(lines.pop())
        for raw in lines:
            line = raw.rstrip(b"\r").decode("utf-8", errors="replace")
            if not line:
                if data:
                    yield "\n".join(data)
                    data = []
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif not line.startswith((":", "event:", "id:", "retry:")):
                log.warning("chatkit-widget: skipped a line that is not SSE: %.80r", line)
    line = partial.rstrip(b"\r").decode("utf-8", errors="replace")
    if line.startswith("data:"):
        data.append(line[5:].removeprefix(" "))
    if data:
        yield "\n".join(data)


def _check_token(token: object) -> None:
    # httpx would put an unencodable value into its exception text: refuse it here, unquoted.
    if (
        not isinstance(token, str)
        or not token
        or not token.isascii()
        or any(c.isspace() for c in token)
    ):
        raise ValueError("a token must be a non-empty ASCII string without spaces")


def check_url(url: object, name: str = "url") -> str:
    """An http(s) URL without credentials in it (httpx would log them and send Basic auth).

    Raises:
        ValueError: naming the argument, never echoing the URL (it may hold a secret).
    """
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{name} must be an http:// or https:// URL")
    if "@" in parts.netloc:
        raise ValueError(f"{name} must not hold credentials (user:password@); use token=")
    return str(url)


def _checked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    for key, value in headers.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("headers must map strings to strings")
        if not value.isascii() or any(c in value for c in "\r\n\0"):
            # Not echoed: a header value is often a key.
            raise ValueError(f"header {key!r}: the value must be ASCII text without line breaks")
    return dict(headers)


def shown_url(url: str) -> str:
    """The URL as reprs and messages show it: no ``user:password@``, no query (keys hide there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{_host(url)}{parts.path}"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url  # never user:password@


def _not_authorized(host: str, renewed: bool) -> str:
    if renewed:
        return f"Not authorized: {host} rejected a freshly provided token (401)."
    return (
        f"Not authorized: {host} rejected the token (401). Pass a valid token=, or a "
        "token_provider= that returns a fresh one."
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cut_text(exc: httpx.TransportError, url: str) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"{_host(url)} stopped sending before the reply finished (timed out)."
    return f"The connection to {_host(url)} dropped before the reply finished."


def _transport_text(exc: httpx.TransportError, url: str | None = None) -> str:
    where = f" {_host(url)}" if url else ""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting to{where}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out waiting for{where or ' the server'}"
    if isinstance(exc, httpx.ConnectError):
        causes = _causes(exc)
        if any(isinstance(c, socket.gaierror) for c in causes):
            return f"could not find the host{where} (DNS lookup failed)"
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return f"could not connect to{where}: connection refused"
        return f"could not connect to{where}: {exc}"
    return f"{type(exc).__name__} talking to{where or ' the server'}"


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, down the chain (httpx wraps the OS error)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; HTTP dates are UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _seconds(seconds: float) -> str:
    return f"{math.ceil(seconds)} s" if seconds >= 10 else f"{seconds:.2g} s"
