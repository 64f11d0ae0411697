"""The in-process backend: a ChatKit server that runs an openai-agents ``Agent`` in the kernel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import nullcontext
from dataclasses import replace
from typing import Any, cast

from agents import (
    Agent,
    InputGuardrailTripwireTriggered,
    OutputGuardrailTripwireTriggered,
    RunConfig,
    Runner,
    RunState,
    ToolApprovalItem,
)
from agents.run_config import ToolErrorFormatterArgs
from chatkit.actions import Action
from chatkit.errors import CustomStreamError
from chatkit.store import Store
from chatkit.types import (
    ClientToolCallItem,
    HiddenContextItem,
    NoticeEvent,
    SDKHiddenContextItem,
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

from .._chatkit_json import ThreadItemJSON
from .._client_tools import ClientTool, stop_at_client_tools
from .._tool_output import Posted, collect_posts, drain
from .._tool_rows import parse_tool_row
from ._agent_events import AgentEventConverter
from ._approvals import (
    APPROVAL_ACTION,
    MOVED_ON,
    STOPPED_WAITING,
    Decision,
    allow_tool,
    allowed_tools,
    denial_text,
    model_denial,
    pending_run,
    set_pending_run,
    waiting_rows,
)
from ._gc_pause import collector_paused
from ._history import HistoryConverter
from ._in_process import InProcessBackend, LocalChatKitServer, RequestContext, title_from
from ._origin import remember_notebook
from ._versions import VERSION_ACTION, record_edit, switch_to
from ._widget_actions import ActionHandler, WidgetAction, check_action_type, run_handler

log = logging.getLogger(__name__)
#: What a client tool call the user stopped returns (the model sees it in later turns).
STOPPED_CALL = "Stopped by the user before the notebook answered."
#: The custom action that edits a sent message: ``{"item_id": ..., "text": ...}``.
EDIT_ACTION = "chatkit_widget.edit"


class AgentChatKitServer(LocalChatKitServer):
    """A ``ChatKitServer`` whose ``respond`` runs the agent with ``Runner.run_streamed``."""

    def __init__(
        self,
        agent: Agent[Any],
        store: Store[Any],
        *,
        tracing: bool = False,
        expose_errors: bool = True,
        pauses_collector: bool = False,
    ) -> None:
        super().__init__(store)
        #: Read a thread with the cyclic collector paused (see ``_gc_pause``): for a process
        #: one person uses, not a server where many users' turns overlap.
        self.pauses_collector = pauses_collector
        self.tool_errors: dict[str, str] = {}
        self.agent = agent
        self.tracing = tracing
        #: Show exception text to the client. True in a notebook (the user's own kernel); a
        #: deployed server sets False: a message may hold credentials meant for the log only.
        self.expose_errors = expose_errors
        self.history = HistoryConverter()
        self.client_tools: dict[str, ClientTool] = {}
        #: ``@chat.action`` handlers, by action type.
        self.action_handlers: dict[str, ActionHandler] = {}
        self._decision_locks: dict[str, asyncio.Lock] = {}

    async def respond(
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        remember_notebook(thread, context)
        if thread.title is None and input_user_message is not None:
            thread.title = title_from(input_user_message)  # ChatKit emits thread.updated
        settled, model_input = await self._agent_input(thread, input_user_message, context)
        for event in settled:
            yield event
        async for event in self._run(thread, model_input, context):
            yield event

    async def _agent_input(
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: RequestContext,
    ) -> tuple[list[ThreadStreamEvent], list[Any]]:
        """The thread as the agent's input, and the events that settle what it left waiting.

        The loaded items go before the reply streams, read with the collector paused where
        ``pauses_collector`` says so (see ``_gc_pause``): no yield in between.
        """
        settled: list[ThreadStreamEvent] = []
        with collector_paused() if self.pauses_collector else nullcontext():
            items = await self.store.load_all_items(thread.id, context)
            if input_user_message is None and items and isinstance(items[-1], ClientToolCallItem):
                # ChatKit saved the notebook's result without telling the client: show it now.
                settled.append(ThreadItemReplacedEvent(item=items[-1]))
            if pending_run(thread) is not None or waiting_rows(items):
                # A new turn while calls waited (or a retry, an edit): they never run.
                settled += await self._settle_waiting(thread, items, MOVED_ON, context)
                items = await self.store.load_all_items(thread.id, context)
            model_input = await self.history.to_agent_input(items)
            del items  # freed by reference counting, before the collector runs again
        return settled, model_input

    async def _run(
        self,
        thread: ThreadMetadata,
        run_input: list[Any] | RunState[Any],
        context: RequestContext,
        converter: AgentEventConverter | None = None,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Stream one run of the agent (a new one, or a paused one resumed) as ChatKit events."""
        converter = converter or self._converter(thread, context)
        context["converter"] = converter
        run_config = RunConfig(
            tracing_disabled=not self.tracing, tool_error_formatter=self._report_tool_error
        )
        posts = collect_posts()  # before the run: its tasks copy this context
        result = Runner.run_streamed(self._agent_for_run(), run_input, run_config=run_config)
        try:
            async for event in converter.events(result):
                if isinstance(event, ThreadItemAddedEvent) and isinstance(event.item, TaskItem):
                    # Stored when it starts, so rows keep the order they started in even if
                    # parallel calls finish in another (ChatKit stores items when done).
                    await self.store.add_thread_item(thread.id, event.item, context)
                yield event
                if isinstance(event, ThreadItemDoneEvent) and isinstance(event.item, TaskItem):
                    # What a tool showed the user (notices, widgets) follows its row.
                    for post in self._posted(drain(posts), thread, context):
                        yield post
            for post in self._posted(drain(posts), thread, context):
                yield post
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
            if not self.expose_errors:
                log.exception("chatkit-widget: the agent's run failed")
            message = (
                f"{type(exc).__name__}: {exc}"
                if self.expose_errors
                else f"The agent failed ({type(exc).__name__}); the server's log has the details."
            )
            raise CustomStreamError(message, allow_retry=True) from exc
        if result.interruptions:
            async for event in self._pause(thread, result.to_state(), converter, context):
                yield event

    def _posted(
        self, posts: list[Posted], thread: ThreadMetadata, context: RequestContext
    ) -> list[ThreadStreamEvent]:
        """Tools' notices, widgets and questions as events (items are stored when done)."""
        return [
            post
            if isinstance(post, NoticeEvent)
            else ThreadItemDoneEvent(
                item=post.item(self.store.generate_item_id("message", thread, context), thread.id)
            )
            for post in posts
        ]

    async def _pause(
        self,
        thread: ThreadMetadata,
        state: RunState[Any],
        converter: AgentEventConverter,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Calls need approval: ask for it, or go on at once for tools already allowed."""
        every_time = self._ask_every_time()
        allowed = allowed_tools(thread) - every_time
        waiting: dict[str, bool] = {}  # call id -> asks every time
        for interruption in state.get_interruptions():
            if (name := _tool_name(interruption)) in allowed:
                state.approve(interruption)
            else:
                waiting[_call_id(interruption)] = name in every_time
        if not waiting:
            async for event in self._run(thread, state, context, converter):
                yield event
            return
        # Stored before they are announced: a stream cut here leaves a run that can resume.
        # The run first: a reader that sees a waiting row can then always resume it.
        asked = [
            ask
            for call_id, every_time in waiting.items()
            if (ask := converter.await_decision(call_id, ask_every_time=every_time)) is not None
        ]
        set_pending_run(thread, state.to_string())
        await self.store.save_thread(thread, context)
        for ask in asked:
            await self.store.add_thread_item(thread.id, ask.item, context)
        for ask in asked:
            yield ask

    async def _decide(
        self, thread: ThreadMetadata, decision: Decision, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Apply one person's decision; resume the run once no call waits."""
        # One decision at a time per thread in this process, each on the thread as stored now:
        # two views deciding at once must not both resume the run.
        lock = self._decision_locks.setdefault(thread.id, asyncio.Lock())
        async with lock:
            async for event in self._decide_locked(thread, decision, context):
                yield event

    async def _decide_locked(
        self, thread: ThreadMetadata, decision: Decision, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        thread.metadata = (await self.store.load_thread(thread.id, context)).metadata
        items = await self.store.load_all_items(thread.id, context)
        saved, rows = pending_run(thread), waiting_rows(items)
        if decision.kind == "stop":
            if not rows and saved is None:
                raise CustomStreamError(
                    "No tool call in this conversation waits for a decision.", allow_retry=False
                )
            for event in await self._settle_waiting(thread, items, STOPPED_WAITING, context):
                yield event
            return
        call_id = decision.call_id or ""
        state = await RunState.from_string(self._agent_for_run(), saved) if saved and rows else None
        pending = {_call_id(i): i for i in state.get_interruptions()} if state else {}
        if state is None or call_id not in rows or call_id not in pending:
            raise CustomStreamError(
                f"The tool call {call_id!r} does not wait for a decision: it was decided "
                "already, or never asked for one.",
                allow_retry=False,
            )
        target = rows[call_id][1]
        decided = [call_id]
        every_time = target.ask_every_time or target.name in self._ask_every_time()
        if decision.kind == "approve" and decision.always and every_time:
            raise CustomStreamError(
                f"{target.name} asks every time: approve this call on its own.",
                allow_retry=False,
            )
        if decision.kind == "approve" and decision.always:
            # "Always allow" also answers this tool's other calls waiting in the same step.
            allow_tool(thread, target.name)
            decided += [c for c, (_, r) in rows.items() if c != call_id and r.name == target.name]
        for decided_id in decided:
            item, row = rows.pop(decided_id)
            if decision.kind == "approve":
                state.approve(pending[decided_id])
                row.status = "pending"  # it runs once no call waits
            else:
                denial = model_denial(row.name, decision.reason)
                state.reject(pending[decided_id], rejection_message=denial)
                row.status, row.error = "denied", denial_text(decision.reason)
            yield ThreadItemDoneEvent(item=row.to_item(item.id, thread.id, item.created_at))
        set_pending_run(thread, state.to_string() if rows else None)
        await self.store.save_thread(thread, context)
        if rows:  # others still wait; the decisions so far are kept with the thread
            return
        # The run is claimed (no longer stored): a later decision finds nothing to resume.
        converter = self._converter(thread, context)
        for stored in await self.store.load_all_items(thread.id, context):
            approved = parse_tool_row(stored) if isinstance(stored, TaskItem) else None
            if approved and approved.status == "pending" and approved.call_id in pending:
                converter.reopen(stored.id, stored.created_at, approved)  # its output lands here
        async for event in self._run(thread, state, context, converter):
            yield event

    def _ask_every_time(self) -> frozenset[str]:
        """Tools whose calls are approved one by one, never for the whole conversation."""
        return frozenset(name for name, tool in self.client_tools.items() if tool.ask_every_time)

    def _converter(self, thread: ThreadMetadata, context: RequestContext) -> AgentEventConverter:
        return AgentEventConverter(
            thread.id,
            lambda kind: self.store.generate_item_id(kind, thread, context),  # type: ignore[arg-type]
            self.tool_errors,
            frozenset(self.client_tools),
            frozenset(name for name, tool in self.client_tools.items() if tool.needs_approval),
        )

    async def _settle_waiting(
        self,
        thread: ThreadMetadata,
        items: list[ThreadItem],
        reason: str,
        context: RequestContext,
    ) -> list[ThreadStreamEvent]:
        """End a paused run: none of its calls runs, and the run is forgotten.

        Settles the rows that wait, and those already approved that were to run on resume.
        """
        unrun: set[str] = set()
        saved = pending_run(thread)
        if saved is not None:
            try:
                state = await RunState.from_string(self._agent_for_run(), saved)
                unrun = {_call_id(i) for i in state.get_interruptions()}
            except Exception:  # a run this agent cannot read (its tools changed): still end it
                log.warning("chatkit-widget: a paused run could not be read", exc_info=True)
        events: list[ThreadStreamEvent] = []
        for item in items:
            row = parse_tool_row(item) if isinstance(item, TaskItem) else None
            if row is None or not (
                row.status == "approval" or (row.status == "pending" and row.call_id in unrun)
            ):
                continue
            row.status, row.error = "error", reason
            settled = row.to_item(item.id, thread.id, item.created_at)
            await self.store.add_thread_item(thread.id, settled, context)
            events.append(ThreadItemDoneEvent(item=settled))
        set_pending_run(thread, None)
        await self.store.save_thread(thread, context)
        return events

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

    async def action(
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        if action.type == APPROVAL_ACTION:
            async for event in self._decide(thread, Decision.from_payload(action.payload), context):
                yield event
            return
        if action.type == VERSION_ACTION:
            async for event in self._show_version(thread, action.payload, context):
                yield event
            return
        if (handler := self.action_handlers.get(action.type)) is not None:
            shown = WidgetAction(
                type=action.type,
                payload=action.payload,
                item_id=sender.id if sender is not None else None,
                widget=sender.widget if sender is not None else None,
                thread_id=thread.id,
            )
            async for event in run_handler(handler, shown, sender, thread, self.store, context):
                yield event
            if shown.asked_agent:
                async for event in self.respond(thread, None, context):
                    yield event
            return
        if action.type != EDIT_ACTION:
            raise CustomStreamError(
                f"No handler for the action {action.type!r}: register one with "
                f"@chat.action({action.type!r})",
                allow_retry=False,
            )
        payload = action.payload if isinstance(action.payload, dict) else {}
        item_id, text = payload.get("item_id"), payload.get("text")
        if not isinstance(item_id, str) or not isinstance(text, str) or not text.strip():
            raise CustomStreamError("An edit needs the message id and new text.", allow_retry=False)
        items, index = await self._message_stretch(thread, item_id, context)
        # What the edit replaces is kept as the message's previous version (`_versions`).
        record_edit(thread, items[index:])
        await self.store.save_thread(thread, context=context)
        # Everything after the edited message goes: the thread continues from it.
        for later in reversed(items[index + 1 :]):
            yield ThreadItemRemovedEvent(item_id=later.id)
        edited = cast(UserMessageItem, items[index]).model_copy(
            update={"content": [UserMessageTextContent(text=text)]}
        )
        yield ThreadItemReplacedEvent(item=edited)
        async for event in self.respond(thread, edited, context):
            yield event

    async def _message_stretch(
        self, thread: ThreadMetadata, item_id: str, context: RequestContext
    ) -> tuple[list[ThreadItem], int]:
        """The thread's items and where user message `item_id` is among them."""
        items = await self.store.load_all_items(thread.id, context)
        index = next((i for i, item in enumerate(items) if item.id == item_id), None)
        if index is None or not isinstance(items[index], UserMessageItem):
            raise CustomStreamError("Only a message you sent can be edited.", allow_retry=False)
        return items, index

    async def _show_version(
        self, thread: ThreadMetadata, payload: Any, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Put another version of an edited message, and what followed it, in the thread."""
        payload = payload if isinstance(payload, dict) else {}
        item_id, version = payload.get("item_id"), payload.get("index")
        if not isinstance(item_id, str) or not isinstance(version, int):
            raise CustomStreamError("Which version of which message?", allow_retry=False)
        items, index = await self._message_stretch(thread, item_id, context)
        try:
            restored = switch_to(thread, items[index:], version)
        except ValueError as exc:
            raise CustomStreamError(str(exc), allow_retry=False) from exc
        await self.store.save_thread(thread, context=context)
        for shown in reversed(items[index:]):
            yield ThreadItemRemovedEvent(item_id=shown.id)
        # All stored first: a reply put back can then be read with the note that follows it
        # (stopped, cut off).
        for item in restored:
            await self.store.add_thread_item(thread.id, item, context)
        for item in restored:
            if not isinstance(item, (HiddenContextItem, SDKHiddenContextItem)):
                yield ThreadItemReplacedEvent(item=item)  # the view adds it; the store has it

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
        if self.expose_errors or error is None:
            self.tool_errors[args.call_id] = text
        else:  # the row is shown to the client; the model (the agent's own) still gets it all
            log.warning("chatkit-widget: tool call %s failed: %s", args.call_id, text)
            self.tool_errors[args.call_id] = f"{type(error).__name__} (see the server's log)"
        return f"Error: {text}"

    async def handle_stream_cancelled(
        self, thread: ThreadMetadata, pending_items: list[ThreadItem], context: RequestContext
    ) -> None:
        converter: AgentEventConverter | None = context.get("converter")
        if converter is not None:
            for event in converter.close("Stopped"):
                item = getattr(event, "item", None)
                if isinstance(item, TaskItem | WorkflowItem):  # ChatKit keeps only messages
                    await self.store.add_thread_item(thread.id, item, context)
        await super().handle_stream_cancelled(thread, pending_items, context)


class AgentBackend(InProcessBackend):
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
        super().__init__(AgentChatKitServer(agent, store, tracing=tracing, pauses_collector=True))
        self.server: AgentChatKitServer
        self.label = label or _model_label(agent)
        self.offline = offline
        self.features = ("edit", "feedback", "notebooks")
        self.server.client_tools = self.client_tools

    async def abandon_client_call(self, item: ThreadItemJSON) -> ThreadItemJSON | None:
        call = ClientToolCallItem.model_validate(
            {**item, "status": "completed", "output": {"error": STOPPED_CALL}}
        )
        await self.store.save_item(call.thread_id, call, {})
        return cast(ThreadItemJSON, call.model_dump(mode="json", exclude_none=True))

    def add_action_handler(self, action_type: str, handler: ActionHandler) -> None:
        if not callable(handler):
            raise TypeError(f"an action handler must be callable, not {type(handler).__name__}")
        self.server.action_handlers[check_action_type(action_type)] = handler

    def add_client_tool(self, tool: ClientTool) -> None:
        clash = {t.name for t in self.server.agent.tools} & {tool.name}
        if clash:
            raise ValueError(f"the agent already has a tool named {tool.name!r}")
        super().add_client_tool(tool)

    def __repr__(self) -> str:
        return f"AgentBackend(agent={self.server.agent.name!r}, store={self.store!r})"


def _model_label(agent: Agent[Any]) -> str:
    model = agent.model
    if isinstance(model, str):
        return model
    return str(getattr(model, "model", None) or type(model).__name__ if model else "default model")


def _call_id(interruption: ToolApprovalItem) -> str:
    return str(getattr(interruption.raw_item, "call_id", None) or "")


def _tool_name(interruption: ToolApprovalItem) -> str:
    return interruption.tool_name or str(getattr(interruption.raw_item, "name", ""))
