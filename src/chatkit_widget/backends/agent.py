"""The in-process backend: a ChatKit server that runs an openai-agents ``Agent`` in the kernel."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Coroutine
from dataclasses import replace
from typing import Any, TypeVar, cast

from agents import (
    Agent,
    InputGuardrailTripwireTriggered,
    OutputGuardrailTripwireTriggered,
    RunConfig,
    Runner,
)
from agents.run_config import ToolErrorFormatterArgs
from chatkit.actions import Action
from chatkit.errors import CustomStreamError
from chatkit.server import ChatKitServer, NonStreamingResult, StreamingResult
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    ActiveStatus,
    ClientToolCallItem,
    ClosedStatus,
    FeedbackKind,
    LockedStatus,
    TaskItem,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
    WorkflowItem,
)
from pydantic import ValidationError

from .._messages import is_stop_note
from ..client_tools import ClientTool, stop_at_client_tools
from ..notices import collect_notices, drain
from ..store import SQLiteStore
from ._agent_events import AgentEventConverter
from ._history import HistoryConverter
from .base import Backend, BackendError

T = TypeVar("T")
_STATUSES = {"locked": LockedStatus, "closed": ClosedStatus}
TITLE_LENGTH = 60
#: What a client tool call the user stopped returns (the model sees it in later turns).
STOPPED_CALL = "Stopped by the user before the notebook answered."
#: The custom action that edits a sent message: ``{"item_id": ..., "text": ...}``.
EDIT_ACTION = "chatkit_widget.edit"


class AgentChatKitServer(ChatKitServer[dict[str, Any]]):
    """A ``ChatKitServer`` whose ``respond`` runs the agent with ``Runner.run_streamed``."""

    def __init__(self, agent: Agent[Any], store: Store[Any], *, tracing: bool = False) -> None:
        super().__init__(store)
        self.tool_errors: dict[str, str] = {}
        self.agent = agent
        self.tracing = tracing
        self.history = HistoryConverter()
        self.feedback: dict[str, dict[str, str]] = {}
        self.client_tools: dict[str, ClientTool] = {}

    async def respond(  # noqa: D102
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: dict[str, Any],
    ) -> AsyncIterator[ThreadStreamEvent]:
        if thread.title is None and input_user_message is not None:
            thread.title = _title_from(input_user_message)  # ChatKit emits thread.updated
        items = await _all_items(self.store, thread.id, context)
        if input_user_message is None and items and isinstance(items[-1], ClientToolCallItem):
            # ChatKit saved the notebook's result without telling the client: show it now.
            yield ThreadItemReplacedEvent(item=items[-1])
        model_input = await self.history.to_agent_input(items)
        converter = AgentEventConverter(
            thread.id,
            lambda kind: self.store.generate_item_id(kind, thread, context),  # type: ignore[arg-type]
            self.tool_errors,
            frozenset(self.client_tools),
        )
        context["converter"] = converter
        run_config = RunConfig(
            tracing_disabled=not self.tracing, tool_error_formatter=self._report_tool_error
        )
        notices = collect_notices()  # before the run: its tasks copy this context
        result = Runner.run_streamed(self._agent_for_run(), model_input, run_config=run_config)
        try:
            async for event in converter.events(result):
                if isinstance(event, ThreadItemAddedEvent) and isinstance(event.item, TaskItem):
                    # Stored when it starts, so rows keep the order they started in even if
                    # parallel calls finish in another (ChatKit stores items when done).
                    await self.store.add_thread_item(thread.id, event.item, context)
                yield event
                for notice in drain(notices):  # what a tool told the user, once it returned
                    yield notice
            for notice in drain(notices):
                yield notice
            if converter.client_call is not None:  # the turn ends; the notebook answers it
                yield ThreadItemDoneEvent(item=converter.client_call)
        except (asyncio.CancelledError, GeneratorExit):
            result.cancel()
            raise
        except (InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered) as exc:
            for event in [*converter.discard_replies(), *converter.close("Blocked by a guardrail")]:
                yield event
            which = "message" if isinstance(exc, InputGuardrailTripwireTriggered) else "reply"
            name = exc.guardrail_result.guardrail.get_name()
            raise CustomStreamError(
                f"The guardrail {name!r} blocked this {which}.", allow_retry=False
            ) from exc
        except Exception as exc:  # the turn fails; what it produced so far is kept
            for event in converter.close("The run failed before the tool finished."):
                yield event
            raise CustomStreamError(f"{type(exc).__name__}: {exc}", allow_retry=True) from exc

    def _agent_for_run(self) -> Agent[Any]:
        """The agent, offered the notebook's client tools when there are any."""
        if not self.client_tools:
            return self.agent
        return self.agent.clone(
            tools=[*self.agent.tools, *(t.as_agent_tool() for t in self.client_tools.values())],
            tool_use_behavior=stop_at_client_tools(
                set(self.client_tools), self.agent.tool_use_behavior
            ),
            # ChatKit holds one pending client call, as the last item: two in parallel would
            # leave one unanswered.
            model_settings=replace(self.agent.model_settings, parallel_tool_calls=False),
        )

    async def add_feedback(  # noqa: D102
        self, thread_id: str, item_ids: list[str], feedback: FeedbackKind, context: dict[str, Any]
    ) -> None:
        if isinstance(self.store, SQLiteStore):
            self.store.save_feedback_sync(thread_id, item_ids, feedback)
        else:  # a custom Store has no place for it: kept for this session only
            for item_id in item_ids:
                self.feedback.setdefault(thread_id, {})[item_id] = feedback

    def feedback_of(self, thread_id: str) -> dict[str, str]:
        """Feedback on a thread's items: item id -> ``"positive"`` | ``"negative"``."""
        if isinstance(self.store, SQLiteStore):
            return self.store.feedback_sync(thread_id)
        return dict(self.feedback.get(thread_id, {}))

    async def action(  # noqa: D102
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: dict[str, Any],
    ) -> AsyncIterator[ThreadStreamEvent]:
        if action.type != EDIT_ACTION:
            raise CustomStreamError(f"Unknown action {action.type!r}", allow_retry=False)
        payload = action.payload if isinstance(action.payload, dict) else {}
        item_id, text = payload.get("item_id"), payload.get("text")
        if not isinstance(item_id, str) or not isinstance(text, str) or not text.strip():
            raise CustomStreamError("An edit needs the message id and new text.", allow_retry=False)
        items = await _all_items(self.store, thread.id, context)
        index = next((i for i, item in enumerate(items) if item.id == item_id), None)
        if index is None or not isinstance(items[index], UserMessageItem):
            raise CustomStreamError("Only a message you sent can be edited.", allow_retry=False)
        # Everything after the edited message goes: the thread continues from it.
        for later in reversed(items[index + 1 :]):
            yield ThreadItemRemovedEvent(item_id=later.id)
        edited = cast(UserMessageItem, items[index]).model_copy(
            update={"content": [UserMessageTextContent(text=text)]}
        )
        yield ThreadItemReplacedEvent(item=edited)
        async for event in self.respond(thread, edited, context):
            yield event

    def _report_tool_error(self, args: ToolErrorFormatterArgs[Any]) -> str:
        """Note a failed tool call for its row, and tell the model what went wrong.

        openai-agents turns a tool's exception into text for the model, so the run alone
        cannot tell a failure from a result. This formatter (it covers every agent of a run,
        handoffs included) records the error by ``call_id``. The model sees the exception's
        text rather than the SDK's generic message: these are the user's own tools in the
        user's own kernel, and the text is what lets the model recover.
        """
        error = args.error
        text = f"{type(error).__name__}: {error}" if error is not None else args.default_message
        self.tool_errors[args.call_id] = text
        return f"Error: {text}"

    async def handle_stream_cancelled(  # noqa: D102
        self, thread: ThreadMetadata, pending_items: list[ThreadItem], context: dict[str, Any]
    ) -> None:
        converter: AgentEventConverter | None = context.get("converter")
        if converter is not None:
            for event in converter.close("Stopped"):
                item = getattr(event, "item", None)
                if isinstance(item, TaskItem | WorkflowItem):  # ChatKit keeps only messages
                    await self.store.add_thread_item(thread.id, item, context)
        await super().handle_stream_cancelled(thread, pending_items, context)


class AgentBackend(Backend):
    """Run an openai-agents ``Agent`` in this kernel, persisting threads in a ChatKit ``Store``.

    Args:
        agent: Any ``Agent``: its tools, handoffs, guardrails and model settings all apply.
        store: Where threads live.
        label: Shown in the chat header; defaults to the model's name.
        offline: True when the agent runs the offline demo model.
        tracing: Send openai-agents traces (off by default: a notebook should not phone home).
    """

    def __init__(
        self,
        agent: Agent[Any],
        store: Store[Any],
        *,
        label: str | None = None,
        offline: bool = False,
        tracing: bool = False,
    ) -> None:
        if not isinstance(agent, Agent):
            raise TypeError(f"agent must be an agents.Agent, not {type(agent).__name__}")
        self.server = AgentChatKitServer(agent, store, tracing=tracing)
        self.store = store
        self.label = label or _model_label(agent)
        self.offline = offline
        self.features = ("edit", "feedback")
        self.server.client_tools = self.client_tools

    async def abandon_client_call(self, item: dict[str, Any]) -> dict[str, Any] | None:  # noqa: D102
        call = ClientToolCallItem.model_validate(
            {**item, "status": "completed", "output": {"error": STOPPED_CALL}}
        )
        await self.store.save_item(call.thread_id, call, {})
        settled: dict[str, Any] = call.model_dump(mode="json", exclude_none=True)
        return settled

    def add_client_tool(self, tool: ClientTool) -> None:  # noqa: D102
        clash = {t.name for t in self.server.agent.tools} & {tool.name}
        if clash:
            raise ValueError(f"the agent already has a tool named {tool.name!r}")
        super().add_client_tool(tool)

    def __repr__(self) -> str:
        return f"AgentBackend(agent={self.server.agent.name!r}, store={self.store!r})"

    async def stream(self, request: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:  # noqa: D102
        await self._refuse_if_not_active(request)
        result = await self._process(request)
        if not isinstance(result, StreamingResult):
            raise BackendError(f"{request.get('type')} is not a streaming request")
        try:
            async for frame in result:
                yield json.loads(frame.removeprefix(b"data: "))
        except NotFoundError as exc:  # e.g. add_user_message to a thread that is gone
            raise BackendError(str(exc)) from exc

    async def call(self, request: dict[str, Any]) -> Any:  # noqa: D102
        result = await self._process(request)
        if not isinstance(result, NonStreamingResult):
            raise BackendError(f"{request.get('type')} is a streaming request")
        body = json.loads(result.json)
        if request["type"] in ("threads.get_by_id", "items.list"):
            await self._annotate(request["params"]["thread_id"], body)
        return body

    async def changes(self, request: dict[str, Any], result: Any) -> list[dict[str, Any]]:  # noqa: D102
        params = request.get("params", {})
        if request["type"] == "threads.update":
            return [{"type": "thread.updated", "thread": result}]
        if request["type"] == "items.feedback":
            page: dict[str, Any] = {"data": []}
            for item_id in params["item_ids"]:
                try:
                    item = await self.store.load_item(params["thread_id"], item_id, {})
                except NotFoundError:
                    continue
                page["data"].append(item.model_dump(mode="json", exclude_none=True))
            await self._annotate(params["thread_id"], page)
            return [{"type": "thread.item.replaced", "item": item} for item in page["data"]]
        return []

    async def _refuse_if_not_active(self, request: dict[str, Any]) -> None:
        """ChatKit leaves locked and closed threads open to new turns; this backend does not."""
        thread_id = request.get("params", {}).get("thread_id")
        if request["type"] == "threads.create" or not isinstance(thread_id, str):
            return
        try:
            thread = await self.store.load_thread(thread_id, {})
        except NotFoundError:
            return  # process() reports the unknown thread
        if thread.status.type != "active":
            why = f": {thread.status.reason}" if thread.status.reason else "."
            raise BackendError(f"This conversation is {thread.status.type}{why}")

    async def _annotate(self, thread_id: str, body: dict[str, Any]) -> None:
        """Add ``"stopped": true`` to replies the user stopped and ``"feedback"`` to rated ones.

        ChatKit records a stop only as a hidden item the client never receives, and feedback
        not at all, so without this a reloaded thread could show neither. Clients that do not
        know the fields ignore them.
        """
        page = body.get("items", body)
        feedback = self.server.feedback_of(thread_id)
        for item in page.get("data", []):
            if item["id"] in feedback:
                item["feedback"] = feedback[item["id"]]
            if item.get("type") != "assistant_message":
                continue
            # Only the item right after each reply: paging a long thread stays O(page).
            following = await self.store.load_thread_items(thread_id, item["id"], 1, "asc", {})
            if following.data and is_stop_note(following.data[0]):
                item["stopped"] = True

    async def _process(self, request: dict[str, Any]) -> StreamingResult | NonStreamingResult:
        try:
            return await self.server.process(json.dumps(request), {})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BackendError(
                f"Invalid {request.get('type')!r} request: {where}: {first['msg']}"
            ) from exc
        except NotFoundError as exc:
            raise BackendError(str(exc)) from exc

    def threads_sync(self, limit: int = 100) -> list[tuple[ThreadMetadata, str]]:  # noqa: D102
        if isinstance(self.store, SQLiteStore):
            return self.store.threads_with_activity_sync(limit)
        page = run_sync(self.store.load_threads(limit, None, "desc", {}))
        return [(t, t.created_at.isoformat()) for t in page.data]

    def thread_sync(self, thread_id: str) -> ThreadMetadata:  # noqa: D102
        try:
            if isinstance(self.store, SQLiteStore):
                return self.store.load_thread_sync(thread_id)
            return run_sync(self.store.load_thread(thread_id, {}))
        except NotFoundError as exc:
            raise BackendError(f"No thread with id {thread_id!r} in {self.store!r}") from exc

    def set_status_sync(  # noqa: D102
        self, thread_id: str, status: str, reason: str | None
    ) -> dict[str, Any]:
        thread = self.thread_sync(thread_id)
        thread.status = _STATUSES[status](reason=reason) if status != "active" else ActiveStatus()
        if isinstance(self.store, SQLiteStore):
            self.store.save_thread_sync(thread)
        else:
            run_sync(self.store.save_thread(thread, {}))
        shown: dict[str, Any] = thread.model_dump(mode="json", exclude_none=True)
        return shown

    def has_thread_sync(self, thread_id: str) -> bool:  # noqa: D102
        try:
            self.thread_sync(thread_id)
        except BackendError:
            return False
        return True

    def feedback_sync(self, thread_id: str) -> dict[str, str]:  # noqa: D102
        return self.server.feedback_of(thread_id)

    def items_sync(self, thread_id: str) -> list[ThreadItem]:  # noqa: D102
        try:
            if isinstance(self.store, SQLiteStore):
                self.store.load_thread_sync(thread_id)
                items = self.store.all_items_sync(thread_id)
            else:
                run_sync(self.store.load_thread(thread_id, {}))
                items = run_sync(_all_items(self.store, thread_id, {}))
        except NotFoundError as exc:
            raise BackendError(f"No thread with id {thread_id!r} in {self.store!r}") from exc
        return items


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion, also when called inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def worker() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=worker, name="chatkit-widget-sync")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


async def _all_items(store: Store[Any], thread_id: str, context: Any) -> list[ThreadItem]:
    items: list[ThreadItem] = []
    after = None
    while True:
        page = await store.load_thread_items(thread_id, after, 100, "asc", context)
        items.extend(page.data)
        if not page.has_more or page.after is None:
            return items
        after = page.after


def _title_from(message: UserMessageItem) -> str:
    text = " ".join(
        "".join(p.text for p in message.content if isinstance(p, UserMessageTextContent)).split()
    )
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


def _model_label(agent: Agent[Any]) -> str:
    model = agent.model
    if isinstance(model, str):
        return model
    return str(getattr(model, "model", None) or type(model).__name__ if model else "default model")
