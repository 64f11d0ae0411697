"""``ChatWidget``: the notebook chat. A thin anywidget; the work happens in the bridge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import anywidget
import traitlets
from agents import Agent
from chatkit.store import Store

from ._assets import asset_reply
from ._bridge import Bridge
from ._chatkit_json import JSONObject, StreamEvent
from ._client_tools import ClientTool
from ._decisions import Decisions, PendingApproval, TurnRecord, errors_of, pending_approvals
from ._errors import ChatError
from ._events import ChatEvents
from ._export import to_json
from ._export import to_markdown as transcript_markdown
from ._home_loop import HomeLoop
from ._messages import Message, final_text, to_messages
from ._protocol import OutgoingMsg, new_id, to_comm
from ._theme import normalize_prompts, normalize_theme
from .backends import Backend, BackendError
from .backends._default import default_backend
from .backends._in_process import turn_request
from .backends._widget_actions import ActionHandler, check_action_type

log = logging.getLogger(__name__)
#: Strong references to tasks nobody awaits (the event loop keeps only weak ones).
_BACKGROUND: set[asyncio.Task[None]] = set()
_STATIC = Path(__file__).parent / "static"


class ChatWidget(anywidget.AnyWidget):
    """A chat in a notebook cell, speaking ChatKit's protocol to an agent or a server.

    Args:
        agent: An openai-agents ``Agent`` to run in this kernel. Default: with
            ``OPENAI_API_KEY`` set, a task-manager agent on ``CHATKIT_WIDGET_MODEL``
            (default ``gpt-4.1-mini``); without it, the same agent on the offline demo model.
        backend: A ``Backend`` to use instead of an in-process agent (not with ``agent``).
        store: Where conversations persist: a SQLite path, ``":memory:"``, or any ChatKit
            ``Store``. Default: ``chatkit_widget/chats.sqlite`` in the Jupyter data directory.
        thread_id: Open this conversation; default a new one.
        placeholder: The composer's placeholder text.
        theme: ``"auto"`` (follow JupyterLab, VS Code or the OS), ``"light"``, ``"dark"``, or
            a dict of ChatKit theme options (``color_scheme``, ``radius``, ``density``,
            ``typography``, ``accent``...) and plain colour keys (``primary``, ``background``,
            ``text``, ``message_bubble_user``, ``message_bubble_assistant``, ``font_family``).
        height: CSS height of the widget.
        greeting: The start screen's heading for an empty conversation.
        prompts: Starter prompts on the start screen: strings, or ``{"label", "prompt"}``.
        render_message: Source of an ES module exporting ``renderMessage(item, el)`` (or a
            default function) that renders an item into ``el``; the built-in rendering is
            used when it throws or returns ``false``.

    Example:
        ```python
        chat = ChatWidget()
        chat                                   # shows the chat
        reply = await chat.ask("list tasks")   # or drive it from Python
        ```
    """

    _esm = _STATIC / "index.js"

    # Every public trait documents its type, default and whether it is read-only, lonboard
    # style (tests/test_widget_traits.py checks each, and that writable defaults are true).

    thread_id = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    """The open conversation's id; ``None`` for a new one, which its first message creates.

    Setting it opens that conversation (it must exist: see ``chat.threads()``).

    - Type: ``str | None``
    - Default: ``None`` (or the constructor's ``thread_id=``)
    - Read-only: no
    """

    placeholder = traitlets.Unicode("Message the assistant…").tag(sync=True)
    """The composer's placeholder text.

    - Type: ``str``
    - Default: ``"Message the assistant…"``
    - Read-only: no
    """

    theme = traitlets.Union([traitlets.Unicode(), traitlets.Dict()], default_value="auto").tag(
        sync=True
    )
    """The colours and shapes: ``"auto"`` follows JupyterLab, VS Code or the OS.

    A dict takes ChatKit's theme options (``color_scheme``, ``radius``, ``density``,
    ``typography``, ``accent``...) and plain colour keys (``primary``, ``background``...); it
    is validated and stored normalised. Setting it restyles every live view.

    - Type: ``"auto" | "light" | "dark" | dict``
    - Default: ``"auto"``
    - Read-only: no
    """

    height = traitlets.Unicode("520px").tag(sync=True)
    """The widget's CSS height (the constructor also takes an ``int``, in pixels).

    - Type: ``str``
    - Default: ``"520px"``
    - Read-only: no
    """

    model_label = traitlets.Unicode("").tag(sync=True)
    """What answers, as the header shows it: a model's name, or a remote server's host.

    - Type: ``str``
    - Default: set from the backend (``"Offline demo model"`` for the offline demo)
    - Read-only: yes
    """

    offline = traitlets.Bool(False).tag(sync=True)
    """Whether the built-in offline demo model answers (the header then shows a badge).

    - Type: ``bool``
    - Default: set from the backend (``True`` for ``ChatWidget()`` without ``OPENAI_API_KEY``)
    - Read-only: yes
    """

    greeting = traitlets.Unicode("").tag(sync=True)
    """The start screen's heading for an empty conversation (``""``: the built-in one).

    - Type: ``str``
    - Default: ``""``
    - Read-only: no
    """

    prompts: traitlets.List[dict[str, str]] = traitlets.List().tag(sync=True)
    """Starter prompts on the start screen: strings or ``{"label", "prompt"}`` dicts.

    Stored normalised, as ``{"label", "prompt"}`` dicts.

    - Type: ``list[dict[str, str]]``
    - Default: ``[]``
    - Read-only: no
    """

    render_message = traitlets.Unicode("").tag(sync=True)
    """Source of an ES module whose ``renderMessage(item, el)`` draws items itself.

    The built-in rendering is used when it throws or returns ``false``; ``""``: always built in.

    - Type: ``str``
    - Default: ``""``
    - Read-only: no
    """

    features = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """What the backend supports beyond the basics, e.g. ``"edit"``, ``"feedback"``.

    - Type: ``list[str]``
    - Default: set from the backend
    - Read-only: yes
    """

    image_origins = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """Origins whose images (generated images, widget images) show without a click: the
    remote ChatKit server's own. Images from anywhere else wait for a click.

    - Type: ``list[str]``
    - Default: set from the backend
    - Read-only: yes
    """

    def __init__(
        self,
        agent: Agent[Any] | None = None,
        *,
        backend: Backend | None = None,
        store: Store[Any] | str | Path | None = None,
        thread_id: str | None = None,
        placeholder: str = "Message the assistant…",
        theme: str | JSONObject = "auto",
        height: str | int = "520px",
        greeting: str = "",
        prompts: list[str | dict[str, str]] | None = None,
        render_message: str = "",
    ) -> None:
        if agent is not None and backend is not None:
            raise ValueError("pass either agent= or backend=, not both")
        if backend is not None and store is not None:
            raise ValueError("store= applies to the in-process agent; a backend= keeps its own")
        if backend is not None and not isinstance(backend, Backend):
            raise TypeError(
                f"backend must be a chatkit_widget Backend, not {type(backend).__name__}"
            )
        theme = normalize_theme(theme)  # a ValueError here, not a TraitError later
        starters = normalize_prompts(prompts)
        if isinstance(height, int):
            height = f"{height}px"
        self._backend = backend or default_backend(agent, store)
        self._home = HomeLoop()
        super().__init__(
            thread_id=None,
            placeholder=placeholder,
            theme=theme,
            height=height,
            greeting=greeting,
            prompts=starters,
            render_message=render_message,
            model_label=self._backend.label,
            offline=self._backend.offline,
            features=list(self._backend.features),
            image_origins=list(self._backend.image_origins),
        )
        self._bridge = Bridge(self._backend, self._post)
        self._events = ChatEvents()
        #: A turn from Python is creating a conversation; sends made meanwhile join it.
        self._creating: asyncio.Future[str | None] | None = None
        self._bridge.observers += [self._follow_thread, self._events.from_stream]
        self._decisions = Decisions(self._bridge, self._backend)
        self._events.decide = self._decisions.from_code
        self.on_msg(self._on_front_end_msg)
        if thread_id is not None:
            self.open_thread(thread_id)

    def __repr__(self) -> str:
        mode = "offline demo model" if self.offline else self.model_label
        return f"ChatWidget(thread_id={self.thread_id!r}, backend={mode!r})"

    # -- Python API -------------------------------------------------------------------------

    async def ask(self, text: str) -> str:
        """Run one turn and return the assistant's final text.

        The turn shows live in every displayed view of this widget. A tool call that needs
        approval pauses it: ``ask`` waits until someone decides (in the chat, with
        ``chat.approve``/``chat.deny``, or a ``chat.on("approval")`` callback).

        Raises:
            ChatError: if the turn ends in an error or is stopped.
        """
        _check_message(text)
        return await self._turn(text, self._plan_turn())

    async def _turn(self, text: str, plan: _TurnPlan) -> str:
        thread_id, created = await self._thread_of(plan)
        record = TurnRecord(new_id())
        with self._bridge.watch(record.keep) as watch:
            _, task = self._bridge.start_stream(
                turn_request(text, thread_id), record.stream_id, _settles(created)
            )
            if created is not None:  # ended without a thread: the next send creates one
                task.add_done_callback(lambda _: _settle(created, None))
            try:
                reason = await asyncio.shield(task)
                # A refused decision's stream ends in "error" while the turn still waits on.
                while reason != "cancelled" and record.waiting and not errors_of(record.events):
                    reason = await self._decisions.wait(watch, record)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is None or not current.cancelling():
                    reason = "cancelled"  # stopped before it started
                else:
                    # ask() itself was cancelled (an interrupted cell, a timeout): stop the turn
                    # too, and let it end properly (partial reply saved) before giving up.
                    if not task.done():
                        self._bridge.cancel(record.stream_id)
                        await asyncio.wait([task])
                    elif record.waiting and record.thread_id is not None:
                        self._decisions.send(record.thread_id, "stop")
                    raise
        errors = errors_of(record.events)
        if errors:
            raise ChatError(errors[-1].get("message") or "The turn failed.", events=record.events)
        if reason == "cancelled":
            raise ChatError("The turn was stopped before it finished.", events=record.events)
        if record.unrun is not None:
            message = f"The turn was stopped before it finished: {record.unrun}"
            raise ChatError(message, events=record.events)
        return final_text(record.events)

    def _plan_turn(self) -> _TurnPlan:
        """Where a turn from Python goes, decided when it is asked for (``send`` runs later).

        The open conversation; else, while a turn from Python is creating one, that one (sends
        made before a new conversation has an id, such as ``send()`` in a loop after
        ``new_thread()``, join it in order: the bridge's per-thread turn lock queues them);
        else this turn creates one.
        """
        if self.thread_id is not None:
            return _TurnPlan(self.thread_id)
        if self._creating is not None and not self._creating.done():
            return _TurnPlan(None, joins=self._creating)
        self._creating = asyncio.get_running_loop().create_future()
        return _TurnPlan(None, creates=self._creating)

    async def _thread_of(
        self, plan: _TurnPlan
    ) -> tuple[str | None, asyncio.Future[str | None] | None]:
        """The turn's thread id (None: it creates one), and the future it settles then."""
        while plan.joins is not None:
            created = await asyncio.shield(plan.joins)
            if created is not None:
                return created, None
            plan = self._plan_turn()  # that create failed: this turn creates (or joins anew)
        return plan.thread_id, plan.creates

    # ``send`` is two methods in one: the user's ``chat.send(text)``, documented in the README,
    # and ipywidgets' ``Widget.send(content, buffers)``, which ipywidgets itself (``focus()``,
    # ``blur()``) and anywidget call to send a custom message. The overloads say which returns
    # what; the type of the first argument decides at run time.
    @overload
    def send(self, text: str) -> asyncio.Task[str]: ...
    @overload
    def send(
        self, text: JSONObject, buffers: Sequence[bytes | memoryview] | None = None
    ) -> None: ...
    def send(
        self, text: str | JSONObject, buffers: Sequence[bytes | memoryview] | None = None
    ) -> asyncio.Task[str] | None:
        """Start a turn without waiting; returns the asyncio task (its result is the reply).

        Given a dict, this is ipywidgets' ``Widget.send(content, buffers)``: it sends a
        custom message to the front end and returns ``None``.

        Raises:
            RuntimeError: when no event loop runs (outside a notebook, use ``await chat.ask``).
        """
        if isinstance(text, dict):
            super().send(text, buffers)
            return None
        _check_message(text)  # now, not later inside a task nobody awaits
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "chat.send() needs a running event loop (a notebook cell has one); "
                "in a script use `await chat.ask(...)` inside asyncio.run()"
            ) from None
        plan = self._plan_turn()
        task = loop.create_task(self._turn(text, plan))
        if plan.creates is not None:  # cancelled before it ran: the sends waiting on it go on
            creates = plan.creates
            task.add_done_callback(lambda _: _settle(creates, None))
        return task

    @property
    def messages(self) -> list[Message]:
        """The open conversation as plain dicts, oldest first (``[]`` for a new one).

        Each has ``id``, ``role`` (``"user"``, ``"assistant"`` or ``"tool"``), ``text`` and
        ``created_at``; tool messages add ``tool: {name, arguments, output, status}`` (and
        ``display``, a mimebundle, when the tool returned a display object); assistant
        messages may add ``stopped: True`` and ``feedback: "positive" | "negative"``.
        """
        if self.thread_id is None:
            return []
        items = self._backend.items_sync(self.thread_id)
        return to_messages(items, self._backend.feedback_sync(self.thread_id))

    def pending_approvals(self) -> list[PendingApproval]:
        """Tool calls of the open conversation waiting for a decision, oldest first.

        Each is ``{"id", "name", "arguments"}``: the call id ``approve``/``deny`` take, the
        tool's name, and its arguments as the JSON text the model sent.
        """
        if self.thread_id is None:
            return []
        return pending_approvals(self._backend.items_sync(self.thread_id))

    def approve(self, call_id: str | None = None, *, always: bool = False) -> asyncio.Task[str]:
        """Approve a waiting tool call (default: every one): it runs and the turn goes on.

        Args:
            call_id: Which call (an ``id`` of ``pending_approvals()``); ``None``: all of them.
            always: Also allow this tool for the rest of the conversation, without asking.

        Returns:
            A task whose result is the reply the turn ends with (``""`` while calls still wait).

        Raises:
            ValueError: if that call (or, without an id, any call) does not wait for a decision.
        """
        waiting = [call["id"] for call in self.pending_approvals()]
        return self._decisions.decide(self.thread_id, waiting, "approve", call_id, always=always)

    def deny(self, call_id: str | None = None, *, reason: str | None = None) -> asyncio.Task[str]:
        """Deny a waiting tool call (default: every one): it never runs; the model is told why.

        Args:
            call_id: Which call (an ``id`` of ``pending_approvals()``); ``None``: all of them.
            reason: Shown on the tool row and given to the model.

        Returns:
            A task whose result is the reply the turn ends with (``""`` while calls still wait).

        Raises:
            ValueError: if that call (or, without an id, any call) does not wait for a decision.
        """
        waiting = [call["id"] for call in self.pending_approvals()]
        return self._decisions.decide(self.thread_id, waiting, "deny", call_id, reason=reason)

    def threads(self, limit: int = 100) -> list[dict[str, Any]]:
        """Conversations, most recently active first.

        Each has ``id``, ``title``, ``created_at`` and ``updated_at`` (ISO 8601 strings).
        """
        return [
            {
                "id": t.id,
                "title": t.title,
                "created_at": t.created_at.isoformat(),
                "updated_at": updated,
            }
            for t, updated in self._backend.threads_sync(limit)
        ]

    def export(self, format: str = "markdown", thread_id: str | None = None) -> str:
        """The conversation (default: the open one) as ``"markdown"`` or ``"json"`` text.

        Tool calls are included with their arguments and results; JSON carries everything
        ``chat.messages`` has (feedback, stopped replies, rich tool output bundles).

        Raises:
            ValueError: for an unknown format, or when no conversation is open.
            BackendError: if there is no such thread.
        """
        if format not in ("markdown", "json"):
            raise ValueError(f"format must be 'markdown' or 'json', not {format!r}")
        thread_id = thread_id or self.thread_id
        if thread_id is None:
            raise ValueError("no conversation is open: send a message or pass thread_id=")
        meta = self._backend.thread_sync(thread_id)
        thread = {"id": meta.id, "title": meta.title, "created_at": meta.created_at.isoformat()}
        items = self._backend.items_sync(thread_id)
        messages = to_messages(items, self._backend.feedback_sync(thread_id))
        return (to_json if format == "json" else transcript_markdown)(thread, messages)

    def to_markdown(self) -> str:
        """The open conversation as Markdown (``chat.export("markdown")``)."""
        return self.export("markdown")

    def on(self, event: str, callback: Callable[[dict[str, Any]], Any]) -> Callable[[], None]:
        """Call ``callback(data)`` when something happens; returns a function that unsubscribes.

        Events: ``"message"`` (a user message or a finished reply, as in ``chat.messages``),
        ``"tool"`` (a tool call finished, or a client tool call waits for the notebook),
        ``"error"`` (``{message, allow_retry}``), ``"thread"`` (``{id, title, reason}`` with
        reason ``created``, ``updated`` or ``opened``), ``"approval"`` (a tool call waits for a
        decision: ``{id, name, arguments}`` as in ``pending_approvals()``; return ``True`` to
        approve, ``False`` to deny, ``None`` to leave it to the chat's buttons). Callbacks run
        on the kernel's event loop; an ``async`` one is scheduled as a task. A failing callback
        is logged and does not disturb the chat.

        Raises:
            ValueError: for an unknown event name.
        """
        return self._events.add(event, callback)

    def set_thread_status(
        self, status: str, reason: str | None = None, thread_id: str | None = None
    ) -> None:
        """Lock (``"locked"``), close (``"closed"``) or reopen (``"active"``) a conversation.

        A locked or closed conversation takes no new messages: the composer says why, and
        ``ask()`` raises ``ChatError`` with the reason. Default: the open conversation.

        Raises:
            ValueError: for an unknown status, or when no conversation is open.
            BackendError: if there is no such thread or the backend cannot change its status.
        """
        if status not in ("active", "locked", "closed"):
            raise ValueError(f"status must be 'active', 'locked' or 'closed', not {status!r}")
        thread_id = thread_id or self.thread_id
        if thread_id is None:
            raise ValueError("no conversation is open: pass thread_id=")
        thread = self._backend.set_status_sync(thread_id, status, reason)
        self._bridge.announce([{"type": "thread.updated", "thread": thread}])

    def new_thread(self) -> None:
        """Start a new conversation with the next message."""
        self._creating = None
        self.thread_id = None

    def open_thread(self, thread_id: str) -> None:
        """Open an existing conversation.

        Raises:
            BackendError: if there is no such thread.
        """
        if not self._backend.has_thread_sync(thread_id):
            raise BackendError(f"No thread with id {thread_id!r}")
        self._creating = None
        self.thread_id = thread_id

    @traitlets.validate("theme")
    def _valid_theme(self, proposal: dict[str, Any]) -> str | JSONObject:
        try:
            return normalize_theme(proposal["value"])
        except (TypeError, ValueError) as exc:
            raise traitlets.TraitError(str(exc)) from None

    @traitlets.validate("prompts")
    def _valid_prompts(self, proposal: dict[str, Any]) -> list[dict[str, str]]:
        try:
            return normalize_prompts(proposal["value"])
        except TypeError as exc:
            raise traitlets.TraitError(str(exc)) from None

    @traitlets.validate("thread_id")
    def _thread_exists(self, proposal: dict[str, Any]) -> str | None:
        value: str | None = proposal["value"]
        created_now = getattr(self, "_created_now", None)
        if value is not None and value != created_now and not self._backend.has_thread_sync(value):
            raise traitlets.TraitError(f"No thread with id {value!r}; see chat.threads()")
        return value

    def client_tool(
        self,
        fn: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
    ) -> Any:
        """Register a function the agent can call, run here in the kernel (a decorator).

        The arguments' JSON schema comes from the signature and type hints, the description
        from the docstring. The call shows as a tool row; an exception becomes an error result
        the model sees. Sync functions run on the kernel's event loop (so they may touch
        notebook state freely); async ones are awaited.

        Example:
            ```python
            @chat.client_tool(description="Names of the variables defined in this notebook.")
            def notebook_variables() -> list[str]:
                return [n for n in globals() if not n.startswith("_")]
            ```
        """

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            self._backend.add_client_tool(ClientTool.from_function(func, name, description))
            return func

        return register(fn) if fn is not None else register

    def action(self, action_type: str) -> Callable[[ActionHandler], ActionHandler]:
        """Run the decorated function here in the kernel when a widget sends ``action_type``.

        Widgets a tool showed with ``show_widget`` send their buttons' and forms' actions
        (ChatKit's ``ActionConfig``) here. The handler gets a ``WidgetAction`` (``type``,
        ``payload`` with a form's values, ``item_id``, ``widget``) and may return a widget (it
        replaces the one that sent the action, in place), text (posted as a reply) or ``None``;
        ``action.ask_agent(note)`` has the agent reply next. It may be async. An exception
        shows as an error in the chat.

        Raises:
            TypeError: a remote backend's server answers its own widgets' actions.
            ValueError: an empty type, or one of this package's own (``chatkit_widget.*``).

        Example:
            ```python
            @chat.action("order.confirm")
            def confirm(action):
                place_order(action.payload["order_id"])
                return Card(children=[Text(value="Order placed")])
            ```
        """

        def register(handler: ActionHandler) -> ActionHandler:
            self._backend.add_action_handler(action_type, handler)
            return handler

        check_action_type(action_type)
        return register

    def send_action(
        self, action_type: str, payload: Any = None, *, item_id: str | None = None
    ) -> asyncio.Task[str]:
        """Send a widget action from Python, as pressing its button would (ChatKit's sendAction).

        It goes to the backend like a click: an ``@chat.action`` handler in the kernel, or a
        remote ChatKit server's ``action``. Every view of the chat shows what it brings.

        Args:
            action_type: The action's type (``"order.confirm"``).
            payload: Its payload (a button's, with a form's values merged in by name).
            item_id: The widget item that sends it (``chat.messages``' ``id``), if any.

        Returns:
            A task whose result is the text of the last reply it streamed (``""`` if none).

        Raises:
            ValueError: when no conversation is open.
            ChatError: (from the task) when the action failed.
        """
        if self.thread_id is None:
            raise ValueError("no conversation is open: an action belongs to one")
        params = {
            "thread_id": self.thread_id,
            "item_id": item_id,
            "action": {"type": action_type, "payload": payload},
        }
        events: list[StreamEvent] = []
        _, stream = self._bridge.start_stream(
            {"type": "threads.custom_action", "params": params}, observer=events.append
        )

        async def answered() -> str:
            await stream
            errors = errors_of(events)
            if errors:
                raise ChatError(errors[-1].get("message") or "The action failed.", events=events)
            return final_text(events)

        return asyncio.ensure_future(answered())

    def stop(self) -> None:
        """Stop every running turn, in every conversation; partial replies are kept, marked stopped.

        A turn of the open conversation waiting for approval ends too: none of its waiting
        calls runs. (The Stop button and Escape stop only the conversation on screen.)
        """
        if self._bridge.streams:
            stopping = list(self._bridge.streams.values())
            self._bridge.cancel()
            # A turn stopped just as it paused for approval leaves calls waiting: stop those too.
            task = asyncio.ensure_future(self._stop_waiting_after(stopping))
            _BACKGROUND.add(task)
            task.add_done_callback(_BACKGROUND.discard)
            return
        self._stop_waiting()

    async def _stop_waiting_after(self, stopping: list[asyncio.Task[Any]]) -> None:
        await asyncio.wait(stopping)
        self._stop_waiting()

    def _stop_waiting(self) -> None:
        try:
            waiting = self.thread_id is not None and bool(self.pending_approvals())
        except BackendError as exc:  # a remote server that is down: nothing to stop here
            log.warning("chatkit-widget: could not check for waiting tool calls: %s", exc)
            return
        if waiting and self.thread_id is not None:
            self._decisions.send(self.thread_id, "stop")

    def close(self) -> None:
        """Close the widget; a turn still running is stopped (its partial reply is kept)."""
        bridge = getattr(self, "_bridge", None)  # absent if __init__ raised (close runs in __del__)
        if bridge is not None:
            bridge.cancel()
        super().close()

    # -- internals ---------------------------------------------------------------------------

    def _post(self, msg: OutgoingMsg) -> None:
        # AnyWidget's: ChatWidget.send is the chat's own (it sends a user message).
        anywidget.AnyWidget.send(self, dict(to_comm(msg)))

    def _follow_thread(self, event: StreamEvent) -> None:
        if event["type"] == "thread.created":
            thread_id = event["thread"]["id"]
            self._events.mark_created(thread_id)
            # The backend just created it: asking it again (for a remote one, a blocking HTTP
            # round trip in the middle of the stream) would be work done twice.
            self._created_now: str | None = thread_id
            try:
                self.thread_id = thread_id
            finally:
                self._created_now = None

    @traitlets.observe("thread_id")
    def _thread_opened(self, change: dict[str, Any]) -> None:
        events: ChatEvents | None = getattr(self, "_events", None)
        thread_id = change["new"]
        if events is None or thread_id is None or events.opened_by_creation(thread_id):
            return
        title = self._backend.thread_sync(thread_id).title
        events.emit("thread", {"id": thread_id, "title": title, "reason": "opened"})

    def _handle_msg(self, msg: dict[str, Any]) -> None:
        # Every front-end message (custom ones and trait updates, whose observers call the
        # backend and the user's callbacks) runs on the loop cells run on: see HomeLoop.
        self._home.run(super()._handle_msg, msg)

    def _on_front_end_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        reply = asset_reply(content) if isinstance(content, dict) else None
        if reply is not None:
            anywidget.AnyWidget.send(self, dict(reply[0]), reply[1])
            return
        self._bridge.handle(content)


@dataclass(frozen=True)
class _TurnPlan:
    """Where a turn from Python goes: a thread, a conversation being created, or a new one."""

    thread_id: str | None
    joins: asyncio.Future[str | None] | None = None
    creates: asyncio.Future[str | None] | None = None


def _settles(
    created: asyncio.Future[str | None] | None,
) -> Callable[[StreamEvent], None] | None:
    """A stream observer that settles ``created`` with the thread the stream creates."""
    if created is None:
        return None

    def observe(event: StreamEvent) -> None:
        if event["type"] == "thread.created":
            _settle(created, event["thread"]["id"])

    return observe


def _settle(future: asyncio.Future[str | None], value: str | None) -> None:
    if not future.done():
        future.set_result(value)


def _check_message(text: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"a message must be a string, not {type(text).__name__}")
    if not text.strip():
        raise ValueError("a message must not be empty")
