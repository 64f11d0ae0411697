"""The sidebar's HTTP endpoints under ``{base_url}chatkit-widget/``, as authenticated handlers.

``POST chatkit`` speaks ChatKit's protocol (JSON, or ``text/event-stream`` for a turn);
``GET streams``, ``GET streams/<id>`` and ``POST streams/<id>/cancel`` let a reloaded page
reattach to a running turn and any tab stop one. Every handler requires a logged-in user with
``execute`` permission on ``chatkit_widget`` and, for POST, Jupyter's XSRF check.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.iostream import StreamClosedError

from ._config import ChatKitWidget

if TYPE_CHECKING:
    from .._protocol import OutgoingMsg
    from ._service import LazyService, SidebarService

#: Streams are not to be cached or buffered by proxies (nginx reads X-Accel-Buffering).
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_STREAM_ID = r"(?P<stream_id>[A-Za-z0-9_-]{1,100})"
_STREAM_ID_VALUE = re.compile(r"[A-Za-z0-9_-]{1,100}")


class _Handler(APIHandler):
    auth_resource = "chatkit_widget"

    async def service(self) -> SidebarService:
        lazy: LazyService = self.settings["chatkit_widget"]
        try:
            return await lazy.get()
        except Exception as exc:  # the configured agent or backend: the user's to fix
            self.log.exception("chatkit-widget: the sidebar's chat could not start")
            raise web.HTTPError(500, f"The chat could not start: {exc}") from exc

    def fail(self, status: int, message: str) -> NoReturn:
        raise web.HTTPError(status, message)


class _StreamHandler(_Handler):
    """A handler whose answer may be a stream it has to end cleanly when the client leaves."""

    _closed: asyncio.Event | None = None

    def on_connection_close(self) -> None:
        # Tornado does not cancel the handler when the client goes away; tell the loop below.
        if self._closed is not None:
            self._closed.set()

    async def relay(
        self, stream_id: str, queue: asyncio.Queue[OutgoingMsg], first: list[Any]
    ) -> None:
        """Write a stream's messages from ``queue`` as SSE until it ends or the client leaves.

        ``first``: events to send before the queue's (a reattaching reader's snapshot).
        """
        self._closed = asyncio.Event()
        self.set_status(200)
        for name, value in {**STREAM_HEADERS, "X-ChatKit-Stream-Id": stream_id}.items():
            self.set_header(name, value)
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        keepalive = self.settings["chatkit_widget"].config.keepalive
        if first:
            self.write(_frames(first))
        if not await self._flush():
            return
        while True:
            msg = await self._next(queue, keepalive)
            if self._closed.is_set():
                return  # the client went away; the readers' grace decides the turn's fate
            if msg is None:
                self.write(": keepalive\n\n")
            elif msg["kind"] == "event":
                self.write(_frames(msg["events"]))
            elif msg["kind"] == "end":
                self.write(f"event: end\ndata: {json.dumps({'reason': msg['reason']})}\n\n")
                self.finish(set_content_type="text/event-stream; charset=utf-8")
                return
            if not await self._flush():
                return

    async def _next(
        self, queue: asyncio.Queue[OutgoingMsg], keepalive: float
    ) -> OutgoingMsg | None:
        """The next message; ``None`` after ``keepalive`` idle seconds or when the client left."""
        assert self._closed is not None
        if self._closed.is_set():
            return None
        get = asyncio.ensure_future(queue.get())
        closed = asyncio.ensure_future(self._closed.wait())
        done, _ = await asyncio.wait(
            {get, closed}, timeout=keepalive, return_when=asyncio.FIRST_COMPLETED
        )
        closed.cancel()
        if get in done:
            return get.result()
        get.cancel()
        return None

    async def _flush(self) -> bool:
        try:
            await self.flush()
        except StreamClosedError:
            return False
        return True


class ChatKitHandler(_StreamHandler):
    """``POST chatkit[?stream=ID]``: one ChatKit request; a turn answers as a stream."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        from ._service import RequestError

        service = await self.service()
        try:
            request, streams = await service.parse(self.request.body)
            if not streams:
                self.finish(json.dumps(await service.call(request)))
                return
        except RequestError as exc:
            self.fail(exc.status, str(exc))
        stream_id = self.get_query_argument("stream", "") or uuid.uuid4().hex
        if not _STREAM_ID_VALUE.fullmatch(stream_id):
            self.fail(400, "A stream id is 1-100 letters, digits, '_' or '-'.")
        if service.bridge.snapshot(stream_id) is not None:
            self.fail(409, f"A stream with id {stream_id!r} is already running.")
        if service.readers.cancelled_early(stream_id):
            # Stopped before its request got here (Stop right after Send): it never runs.
            with service.readers.reading(stream_id) as queue:
                queue.put_nowait({"kind": "end", "id": stream_id, "reason": "cancelled"})
                await self.relay(stream_id, queue, [])
            return
        # Reading from before the start: no event can be missed.
        with service.readers.reading(stream_id) as queue:
            service.bridge.start_stream(request, stream_id)
            await self.relay(stream_id, queue, [])


class StreamsHandler(_Handler):
    """``GET streams``: the turns running now, so a reloaded page can reattach."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        service = await self.service()
        running = [{"id": sid, "request": request} for sid, request in service.bridge.running()]
        self.finish(json.dumps({"streams": running}))


class StreamHandler(_StreamHandler):
    """``GET streams/<id>``: a running turn from its open items as they are now."""

    @web.authenticated
    @authorized
    async def get(self, stream_id: str) -> None:
        service = await self.service()
        snapshot = service.bridge.snapshot(stream_id)
        if snapshot is None:
            self.fail(404, "No such stream is running.")
        # Nothing awaited between the snapshot and reading: no event is lost or doubled.
        with service.readers.reading(stream_id) as queue:
            await self.relay(stream_id, queue, list(snapshot))


class CancelHandler(_Handler):
    """``POST streams/<id>/cancel``: stop a turn; ChatKit keeps its partial reply."""

    @web.authenticated
    @authorized
    async def post(self, stream_id: str) -> None:
        service = await self.service()
        if service.bridge.snapshot(stream_id) is None:
            # Maybe its request has not arrived yet: it will end at once when it does.
            service.readers.cancel_early(stream_id)
            self.fail(404, "No such stream is running.")
        service.bridge.cancel(stream_id)
        self.set_status(204)
        self.finish()


class InfoHandler(_Handler):
    """``GET info``: the agent's label, whether it is the offline demo, its features."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(json.dumps((await self.service()).info()))


def _frames(events: Sequence[Any]) -> str:
    return "".join(f"data: {json.dumps(event)}\n\n" for event in events)


def add_routes(server_app: Any) -> None:
    """Install the handlers on a Jupyter server (its extension loader calls this)."""
    from ._service import LazyService

    web_app = server_app.web_app
    config = ChatKitWidget(config=server_app.config, parent=server_app)
    web_app.settings["chatkit_widget"] = LazyService(config)
    base = url_path_join(web_app.settings["base_url"], "chatkit-widget")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "chatkit"), ChatKitHandler),
            (url_path_join(base, "info"), InfoHandler),
            (url_path_join(base, "streams"), StreamsHandler),
            (url_path_join(base, "streams", _STREAM_ID), StreamHandler),
            (url_path_join(base, "streams", _STREAM_ID, "cancel"), CancelHandler),
        ],
    )
