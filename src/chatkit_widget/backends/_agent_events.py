"""Turn an openai-agents streamed run into ChatKit thread events.

This replaces ``chatkit.agents.stream_agent_response`` for three reasons: it shows server-side
tool calls as tool rows that go pending -> success | error; it gives every assistant message a
store-generated id (Chat-Completions models stamp all of them ``__fake_id__``, which makes items
of different turns collide); and when a run fails or is cancelled it closes what was open, so
the partial reply is kept.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, cast

from agents import RunResultStreaming
from chatkit.types import (
    Annotation,
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ClientToolCallItem,
    CustomSummary,
    DurationSummary,
    FileSource,
    FileTask,
    ProgressUpdateEvent,
    SearchTask,
    ThoughtTask,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    URLSource,
    Workflow,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)

from .._display import mimebundle
from .._tool_rows import ToolRow

NewId = Callable[[str], str]


class AgentEventConverter:
    """Stateful converter for one run; ``close(error)`` finishes whatever is still open.

    Args:
        thread_id: The thread the events belong to.
        new_id: Makes a store id for an item kind (``"message"`` or ``"tool_call"``).
        tool_errors: Error texts of failed tool calls by ``call_id``, filled by the tools'
            failure handler (a failed tool returns text to the model, so the run alone
            cannot tell failure from success).
    """

    def __init__(
        self,
        thread_id: str,
        new_id: NewId,
        tool_errors: dict[str, str],
        client_tools: frozenset[str] = frozenset(),
        approved_client_tools: frozenset[str] = frozenset(),
    ) -> None:
        self.thread_id = thread_id
        self.client_tools = client_tools
        #: Client tools a person approves first: a row asks, and the client runs it once approved.
        self.approved_client_tools = approved_client_tools
        #: The client tool call that ended the run, for the notebook to answer.
        self.client_call: ClientToolCallItem | None = None
        self.new_id = new_id
        self.tool_errors = tool_errors
        self._messages: dict[str, AssistantMessageItem] = {}  # raw model id -> open item
        #: Each open message's streamed text, per content part, as pieces: joined once, when
        #: the message ends (adding to its text per token would copy all of it each time).
        self._pieces: dict[str, list[list[str]]] = {}  # raw model id -> parts' pieces
        self._replies: list[str] = []  # ids of every assistant message of this run
        self._tools: dict[str, tuple[str, datetime, ToolRow]] = {}  # call_id -> open row
        self._thoughts: dict[str, tuple[WorkflowItem, float]] = {}  # raw id -> open workflow
        self._searches: dict[str, WorkflowItem] = {}  # raw web_search_call id -> open workflow

    async def events(self, result: RunResultStreaming) -> AsyncIterator[ThreadStreamEvent]:
        """Yield ChatKit events while the run streams."""
        async for event in result.stream_events():
            if event.type == "raw_response_event":
                for out in self._raw(event.data):
                    yield out
            elif event.type == "run_item_stream_event":
                for out in self._run_item(event.item):
                    yield out
            elif event.type == "agent_updated_stream_event" and event.new_agent is not None:
                yield ProgressUpdateEvent(text=f"{event.new_agent.name} is working on it")

    def _raw(self, data: Any) -> list[ThreadStreamEvent]:
        kind = getattr(data, "type", "")
        if kind == "response.output_text.delta":  # first: one per token, the rest per item
            return self._text_delta(data)
        if kind.startswith("response.reasoning_summary") or (
            kind.startswith("response.output_item.") and data.item.type == "reasoning"
        ):
            return self._reasoning(kind, data)
        if kind.startswith("response.output_item.") and data.item.type in _SEARCHES:
            return self._web_search(kind, data.item)
        if kind == "response.output_item.added" and data.item.type == "message":
            item = AssistantMessageItem(
                id=self.new_id("message"),
                thread_id=self.thread_id,
                created_at=datetime.now(),
                content=[],
            )
            self._messages[data.item.id] = item
            self._pieces[data.item.id] = []
            self._replies.append(item.id)
            return [ThreadItemAddedEvent(item=item.model_copy(deep=True))]
        open_item = self._messages.get(getattr(data, "item_id", ""))
        if kind == "response.content_part.added" and open_item is not None:
            if data.part.type != "output_text":
                return []
            part = AssistantMessageContent(text="", annotations=[])
            _ensure_part(open_item, data.content_index)
            return [
                ThreadItemUpdatedEvent(
                    item_id=open_item.id,
                    update=AssistantMessageContentPartAdded(
                        content_index=data.content_index, content=part
                    ),
                )
            ]
        if kind == "response.output_item.done" and data.item.type == "message":
            if data.item.id not in self._messages:
                return []
            done = self._streamed(data.item.id)
            final = [c for c in data.item.content if getattr(c, "type", "") == "output_text"]
            if final:  # the model's own final text wins over what we accumulated
                done.content = [
                    AssistantMessageContent(text=c.text, annotations=_annotations(c)) for c in final
                ]
            return [ThreadItemDoneEvent(item=done)]
        return []

    def _text_delta(self, data: Any) -> list[ThreadStreamEvent]:
        open_item = self._messages.get(data.item_id)
        if open_item is None:
            return []
        pieces = self._pieces[data.item_id]
        while len(pieces) <= data.content_index:
            pieces.append([])
        pieces[data.content_index].append(data.delta)
        update = AssistantMessageContentPartTextDelta(
            content_index=data.content_index, delta=data.delta
        )
        return [ThreadItemUpdatedEvent(item_id=open_item.id, update=update)]

    def _streamed(self, raw_id: str) -> AssistantMessageItem:
        """Close open message ``raw_id``: its parts' text is what streamed."""
        item = self._messages.pop(raw_id)
        for index, pieces in enumerate(self._pieces.pop(raw_id)):
            if pieces:
                _ensure_part(item, index).text += "".join(pieces)
        return item

    def _reasoning(self, kind: str, data: Any) -> list[ThreadStreamEvent]:
        """A reasoning model's summary as a ChatKit reasoning workflow of thought tasks."""
        if kind == "response.output_item.added":
            item = WorkflowItem(
                id=self.new_id("workflow"),
                thread_id=self.thread_id,
                created_at=datetime.now(),
                workflow=Workflow(type="reasoning", tasks=[], expanded=False),
            )
            self._thoughts[data.item.id] = (item, time.monotonic())
            return [ThreadItemAddedEvent(item=item.model_copy(deep=True))]
        opened = self._thoughts.get(getattr(data, "item_id", None) or data.item.id)
        if opened is None:
            return []
        item, started = opened
        tasks = item.workflow.tasks
        if kind == "response.reasoning_summary_part.added":
            tasks.append(ThoughtTask(content="", status_indicator="loading"))
            update: Any = WorkflowTaskAdded(task_index=len(tasks) - 1, task=tasks[-1])
            return [ThreadItemUpdatedEvent(item_id=item.id, update=update)]
        if kind == "response.reasoning_summary_text.delta" and tasks:
            index = min(data.summary_index, len(tasks) - 1)
            task = cast(ThoughtTask, tasks[index])
            task.content += data.delta
            update = WorkflowTaskUpdated(task_index=index, task=task)
            return [ThreadItemUpdatedEvent(item_id=item.id, update=update)]
        if kind == "response.output_item.done":
            return self._finish_thoughts(data.item.id, started)
        return []

    def _web_search(self, kind: str, call: Any) -> list[ThreadStreamEvent]:
        """A hosted web or file search as a workflow with one task: queries, then sources."""
        if kind == "response.output_item.added":
            task: SearchTask | FileTask = (
                SearchTask(title="Searching the web", status_indicator="loading")
                if call.type == "web_search_call"
                else FileTask(title="Searching your files", status_indicator="loading")
            )
            item = WorkflowItem(
                id=self.new_id("workflow"),
                thread_id=self.thread_id,
                created_at=datetime.now(),
                workflow=Workflow(type="custom", tasks=[task], expanded=False),
            )
            self._searches[call.id] = item
            return [ThreadItemAddedEvent(item=item.model_copy(deep=True))]
        if kind != "response.output_item.done" or call.id not in self._searches:
            return []
        item = self._searches.pop(call.id)
        if call.type == "file_search_call":
            names = list(dict.fromkeys(r.filename for r in call.results or [] if r.filename))
            files = [FileSource(filename=name, title=name) for name in names]
            title = "Searched your files"
            item.workflow.tasks = [
                FileTask(title=title, sources=files, status_indicator="complete")
            ]
            item.workflow.summary = CustomSummary(title=title)
            return [ThreadItemDoneEvent(item=item)]
        action: Any = getattr(call, "action", None)
        queries = list(getattr(action, "queries", None) or [])
        if not queries and getattr(action, "query", None):
            queries = [action.query]
        urls = [s.url for s in getattr(action, "sources", None) or []]
        if queries:
            item.workflow.summary = CustomSummary(title=f"Searched the web for “{queries[0]}”")
        item.workflow.tasks = [
            SearchTask(
                title="Searched the web",
                title_query=queries[0] if queries else None,
                queries=queries,
                sources=[URLSource(url=url, title=url) for url in urls],
                status_indicator="complete",
            )
        ]
        return [ThreadItemDoneEvent(item=item)]

    def _finish_thoughts(self, raw_id: str, started: float) -> list[ThreadStreamEvent]:
        item, _ = self._thoughts.pop(raw_id)
        if not item.workflow.tasks:  # a model that reasons without a summary shows nothing
            return [ThreadItemRemovedEvent(item_id=item.id)]
        for task in item.workflow.tasks:
            task.status_indicator = "complete"
        item.workflow.summary = DurationSummary(duration=round(time.monotonic() - started))
        return [ThreadItemDoneEvent(item=item)]

    def _run_item(self, item: Any) -> list[ThreadStreamEvent]:
        raw = item.raw_item
        if item.type == "tool_call_item" and _get(raw, "type") == "function_call":
            call_id = str(_get(raw, "call_id"))
            name = _get(raw, "name")
            if name in self.client_tools and name not in self.approved_client_tools:
                self.client_call = self._client_call(call_id, str(name), _get(raw, "arguments"))
                return []
            row = ToolRow(
                call_id=call_id,
                name=str(_get(raw, "name")),
                arguments=_parse_json(_get(raw, "arguments")),
            )
            opened = (self.new_id("tool_call"), datetime.now(), row)
            self._tools[call_id] = opened
            return [ThreadItemAddedEvent(item=row.to_item(opened[0], self.thread_id, opened[1]))]
        if item.type == "tool_call_output_item":
            call_id = str(_get(raw, "call_id"))
            if call_id not in self._tools:
                return []
            item_id, created_at, row = self._tools.pop(call_id)
            error = self.tool_errors.pop(call_id, None)
            if row.name in self.approved_client_tools and error is None:
                # Approved: the client is asked to run it, and its call's row (with the result)
                # takes the approval row's place; two done rows would read as two runs.
                self.client_call = self._client_call(call_id, row.name, row.arguments)
                return [ThreadItemRemovedEvent(item_id=item_id)]
            if error is None:
                row.status, row.output = "success", _output_text(raw, item.output)
                row.display = mimebundle(item.output)
            else:
                row.status, row.error = "error", error
            return [ThreadItemDoneEvent(item=row.to_item(item_id, self.thread_id, created_at))]
        return []

    def _client_call(self, call_id: str, name: str, arguments: Any) -> ClientToolCallItem:
        parsed = _parse_json(arguments) if isinstance(arguments, str) else arguments
        return ClientToolCallItem(
            id=self.new_id("tool_call"),
            thread_id=self.thread_id,
            created_at=datetime.now(),
            call_id=call_id,
            name=name,
            arguments=parsed if isinstance(parsed, dict) else {},
        )

    def await_decision(
        self, call_id: str, *, ask_every_time: bool = False
    ) -> ThreadItemDoneEvent | None:
        """The run paused on this call: its row now waits for a person's decision."""
        opened = self._tools.pop(call_id, None)
        if opened is None:
            return None
        item_id, created_at, row = opened
        row.status, row.ask_every_time = "approval", ask_every_time
        return ThreadItemDoneEvent(item=row.to_item(item_id, self.thread_id, created_at))

    def reopen(self, item_id: str, created_at: datetime, row: ToolRow) -> None:
        """A resumed run will run this approved call: its output finishes the stored row."""
        self._tools[row.call_id] = (item_id, created_at, row)

    def discard_replies(self) -> list[ThreadStreamEvent]:
        """Remove this run's assistant messages (a guardrail blocked them).

        Tool rows stay: the calls really ran, and hiding that would misreport what happened.
        """
        self._messages.clear()
        self._pieces.clear()
        removed, self._replies = self._replies, []
        return [ThreadItemRemovedEvent(item_id=item_id) for item_id in removed]

    def close(self, reason: str) -> list[ThreadStreamEvent]:
        """Finish open items after a failure: keep partial text, fail running tools."""
        done: list[ThreadStreamEvent] = []
        for item in [self._streamed(raw_id) for raw_id in list(self._messages)]:
            if any(part.text.strip() for part in item.content):
                done.append(ThreadItemDoneEvent(item=item))
        for item_id, created_at, row in self._tools.values():
            row.status, row.error = "error", reason
            done.append(ThreadItemDoneEvent(item=row.to_item(item_id, self.thread_id, created_at)))
        for raw_id, (_, started) in list(self._thoughts.items()):
            done += self._finish_thoughts(raw_id, started)
        for search in self._searches.values():
            for task in search.workflow.tasks:
                task.status_indicator = "complete"
            done.append(ThreadItemDoneEvent(item=search))
        self._searches.clear()
        self._messages.clear()
        self._tools.clear()
        return done


_SEARCHES = ("web_search_call", "file_search_call")


def _annotations(part: Any) -> list[Annotation]:
    """A model's citations (web search, file search) as ChatKit annotations."""
    out: list[Annotation] = []
    for cite in getattr(part, "annotations", None) or []:
        kind = getattr(cite, "type", "")
        if kind == "url_citation":
            source: URLSource | FileSource = URLSource(url=cite.url, title=cite.title or cite.url)
            out.append(Annotation(source=source, index=cite.end_index))
        elif kind == "file_citation":
            source = FileSource(filename=cite.filename, title=cite.filename)
            out.append(Annotation(source=source, index=cite.index))
    return out


def _ensure_part(item: AssistantMessageItem, index: int) -> AssistantMessageContent:
    while len(item.content) <= index:
        item.content.append(AssistantMessageContent(text="", annotations=[]))
    return item.content[index]


def _get(raw: Any, key: str) -> Any:
    return raw.get(key) if isinstance(raw, dict) else getattr(raw, key, None)


def _parse_json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        return text


def _output_text(raw: Any, output: Any) -> str:
    """The text the model received (``raw_item.output``), so replayed history matches."""
    sent = _get(raw, "output")
    if isinstance(sent, str):
        return sent
    return output if isinstance(output, str) else str(output)
