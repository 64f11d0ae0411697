"""A deterministic, offline ``Model``: the demo works with no key and no network.

It reads the last input item and either calls one of the task tools or streams a reply word by
word, ``delay`` seconds apart so the UI streams the way a real model does. Words come on a
schedule, as from a model's server: time spent on each one downstream does not slow the rate.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from agents import ModelResponse, Usage
from agents.models.interface import Model
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseCreatedEvent,
    ResponseFunctionToolCall,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseReasoningItem,
    ResponseReasoningSummaryPartAddedEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseTextDeltaEvent,
)
from openai.types.responses.response_file_search_tool_call import (
    ResponseFileSearchToolCall,
    Result,
)
from openai.types.responses.response_function_web_search import (
    ActionSearch,
    ActionSearchSource,
    ResponseFunctionWebSearch,
)
from openai.types.responses.response_output_text import (
    AnnotationFileCitation,
    AnnotationURLCitation,
)
from openai.types.responses.response_reasoning_item import Summary
from openai.types.responses.response_reasoning_summary_part_added_event import Part

from .._chatkit_json import JSONObject
from ._items import text_of
from ._notebook import context_reply, follow_up, notebook_command, tool_reply
from ._showcase import SHOWCASE

HELP_TEXT = (
    "I'm the **offline demo model**: a built-in, deterministic stand-in that needs no key and no "
    "network. I manage a small task list, so try:\n\n"
    "- `add a task: buy milk`\n- `list tasks`\n- `complete task buy milk`\n"
    "- `remove task buy milk` (asks for your approval first)\n- `count to 20`\n"
    "- `show markdown` (what replies can contain)\n"
    "- `think: why is the sky blue?` (a reasoning workflow)\n"
    "- `search: notebooks`, `search files: roadmap` (replies citing what a search found)\n"
    '- `use tool NAME with {"arg": 1}` (call any tool the agent has)\n'
    "- `echo: text` (reply with the text verbatim)\n\n"
    "To talk to a real model, set `OPENAI_API_KEY` before creating the widget, or pass your own "
    "agent: `ChatWidget(agent=Agent(name=..., model=...))`. Any OpenAI-compatible server "
    "(Ollama, vLLM, LM Studio) works through `OpenAIChatCompletionsModel`."
)

#: The help in JupyterLab's sidebar, whose agent has the notebook tools.
NOTEBOOK_HELP_TEXT = (
    "I'm the **offline demo model**: a built-in, deterministic stand-in that needs no key and no "
    "network. I can work with the notebook you are in, so try:\n\n"
    "- `read the notebook`\n- `what variables are defined`\n- `insert a cell: x = 1`\n"
    "- `replace the cell: x = 2`\n- `run the active cell` (asks for your approval first)\n"
    "- **Add active cell to chat** (cell context menu), then ask about it\n"
    "- `add a task: buy milk`, `count to 20`, `show markdown`\n\n"
    "To talk to a real model, set `OPENAI_API_KEY` in the environment that starts Jupyter, or "
    'name your own agent in the Jupyter config: `c.ChatKitWidget.agent = "module:agent"`.'
)

_COMMANDS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^\s*(?:please\s+)?add(?: a)? task\s*[:\-]?\s*(?P<arg>.+?)\s*$", re.I),
        "add_task",
    ),
    (
        re.compile(r"^\s*(?:please\s+)?(?:list|show)(?: (?:my|all|open))? tasks\W*$", re.I),
        "list_tasks",
    ),
    (
        re.compile(
            r"^\s*(?:please\s+)?(?:complete|finish|done)(?: the)? task\s*[:\-]?\s*(?P<arg>.+?)\s*$",
            re.I,
        ),
        "complete_task",
    ),
    (
        re.compile(
            r"^\s*(?:please\s+)?(?:remove|delete)(?: the)? task\s*[:\-]?\s*(?P<arg>.+?)\s*$",
            re.I,
        ),
        "remove_task",
    ),
]
_COUNT = re.compile(r"^\s*count to (?P<n>\d{1,4})\b", re.I)
# "echo: <text>" replies with the text verbatim (tests and demos of rendering).
_ECHO = re.compile(r"^\s*echo:\s?(?P<text>.*)\Z", re.I | re.S)
# "use tool NAME" or "use tool NAME with {json}" calls any tool the agent has.
_USE_TOOL = re.compile(
    r"^\s*use tool (?P<name>[\w.-]+)(?:\s+with\s+(?P<args>\{.*\}))?\s*$", re.I | re.S
)
# "think: <question>" streams a reasoning summary before the reply, like a reasoning model.
_THINK = re.compile(r"^\s*think:\s*(?P<q>.+?)\s*$", re.I | re.S)
# "search: <query>" answers with cited sources, like a model with web search.
_SEARCH_FILES = re.compile(r"^\s*search files:\s*(?P<q>.+?)\s*$", re.I | re.S)
_SEARCH = re.compile(r"^\s*search:\s*(?P<q>.+?)\s*$", re.I | re.S)
_SHOWCASE = re.compile(r"^\s*(?:show|demo)\s+(?:me\s+)?markdown\W*$", re.I)


@dataclass
class Thought:
    """A reasoning summary (one entry per summary part) followed by the reply."""

    summary: list[str]
    reply: str


def _thought(question: str) -> Thought:
    return Thought(
        summary=[
            f"**Reading the question.** You asked: {question}",
            "**Planning the answer.** I'm the offline demo model, so this thinking is scripted; "
            "a real reasoning model (o4-mini, gpt-5) shows its reasoning summary here the same "
            "way, streamed as it thinks.",
        ],
        reply="This is where the answer goes. The thinking above is a ChatKit reasoning "
        "workflow: it streams while the model thinks, then folds away with how long it took.",
    )


@dataclass
class Cited:
    """A reply citing what a search found: (url or filename, title, end index in the text)."""

    text: str
    citations: list[tuple[str, str, int]]
    query: str
    files: bool = False


_SOURCES = [
    ("https://jupyter.org", "Project Jupyter", "notebooks mix live code, prose and results"),
    (
        "https://github.com/openai/chatkit-python",
        "ChatKit Python SDK",
        "ChatKit defines threads, items and stream events",
    ),
]


def _cited(query: str) -> Cited:
    text = f"About {query}: "
    citations = []
    for url, title, claim in _SOURCES:
        text += claim[0].upper() + claim[1:] + ". "
        citations.append((url, title, len(text) - 1))
    text += "(The offline demo model does not search the web: these sources are fixed.)"
    return Cited(text=text, citations=citations, query=query)


_FILES = [
    ("notes/roadmap.md", "the sidebar extension comes after remote backends"),
    ("notes/decisions.md", "chats persist in SQLite so they survive restarts"),
]


def _cited_files(query: str) -> Cited:
    text = f"In your files, about {query}: "
    citations = []
    for filename, claim in _FILES:
        text += claim[0].upper() + claim[1:] + ". "
        citations.append((filename, filename, len(text) - 1))
    text += "(The offline demo model has no files: these are made up.)"
    return Cited(text=text, citations=citations, query=query, files=True)


def _search_output(step: Cited) -> list[Any]:
    """A hosted search call (web or files) and the reply that cites what it found."""
    if step.files:
        call: Any = ResponseFileSearchToolCall(
            type="file_search_call",
            id=f"fs_{uuid.uuid4().hex[:12]}",
            status="completed",
            queries=[step.query],
            results=[
                Result(filename=name, file_id=f"file_{n}")
                for n, (name, _, _) in enumerate(step.citations)
            ],
        )
        cites: list[Any] = [
            AnnotationFileCitation(
                type="file_citation", file_id=f"file_{n}", filename=name, index=end
            )
            for n, (name, _, end) in enumerate(step.citations)
        ]
    else:
        call = ResponseFunctionWebSearch(
            type="web_search_call",
            id=f"ws_{uuid.uuid4().hex[:12]}",
            status="completed",
            action=ActionSearch(
                type="search",
                query=step.query,
                sources=[ActionSearchSource(type="url", url=u) for u, _, _ in step.citations],
            ),
        )
        cites = [
            AnnotationURLCitation(
                type="url_citation", url=url, title=title, start_index=0, end_index=end
            )
            for url, title, end in step.citations
        ]
    return [call, _message(f"msg_{uuid.uuid4().hex[:12]}", step.text, annotations=cites)]


def plan_turn(
    input_items: str | list[Any], tools: frozenset[str] = frozenset()
) -> tuple[str, str] | str | Thought | Cited:
    """Decide the next step: ``(tool_name, arguments_json)`` or the reply text.

    ``tools``: the names of the agent's tools (commands for tools it lacks are not understood).
    """
    items: list[Any] = (
        [{"role": "user", "content": input_items}] if isinstance(input_items, str) else input_items
    )
    # An agent that was handed the conversation answers the request that led to the handoff.
    while items and _is_handoff(items, items[-1]):
        call = _call_for(items, items[-1])
        items = [i for i in items[:-1] if i is not call]
    last = items[-1] if items else {}
    if isinstance(last, dict) and last.get("type") == "function_call_output":
        called = str(_call_for(items, last).get("name", ""))
        next_call = follow_up(items, called, str(last.get("output", "")))
        if next_call and next_call[0] in tools:
            return next_call
        return _reply_to_tool_output(items, last)
    attached = context_reply(items)
    if attached:
        return attached
    text = text_of(last)
    notebook = notebook_command(text, set(tools))
    if notebook:
        return notebook
    echo = _ECHO.match(text)
    if echo:
        return echo.group("text") or "(nothing to echo)"
    if _SHOWCASE.match(text):
        return SHOWCASE
    think = _THINK.match(text)
    if think:
        return _thought(think.group("q"))
    files = _SEARCH_FILES.match(text)
    if files:
        return _cited_files(files.group("q"))
    search = _SEARCH.match(text)
    if search:
        return _cited(search.group("q"))
    use = _USE_TOOL.match(text)
    if use:
        return use.group("name"), use.group("args") or "{}"
    for pattern, tool in _COMMANDS:
        match = pattern.match(text)
        if match:
            args = {"title": match.group("arg")} if "arg" in pattern.groupindex else {}
            return tool, json.dumps(args)
    count = _COUNT.match(text)
    if count:
        return " ".join(str(i) for i in range(1, int(count.group("n")) + 1))
    return NOTEBOOK_HELP_TEXT if "read_notebook" in tools else HELP_TEXT


def _tools_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The ``tools`` argument of ``Model.get_response`` / ``stream_response``."""
    # (system_instructions, input, model_settings, tools, ...): tools is the 2nd of *args.
    return kwargs.get("tools", args[1] if len(args) > 1 else ())


def _is_handoff(items: list[Any], item: Any) -> bool:
    if not isinstance(item, dict) or item.get("type") != "function_call_output":
        return False
    call = _call_for(items, item)
    return str(call.get("name", "")).startswith("transfer_to_")


def _call_for(items: list[Any], output_item: JSONObject) -> JSONObject:
    return next(
        (
            i
            for i in items
            if isinstance(i, dict)
            and i.get("type") == "function_call"
            and i.get("call_id") == output_item.get("call_id")
        ),
        {},
    )


def _reply_to_tool_output(items: list[Any], output_item: JSONObject) -> str:
    call = _call_for(items, output_item)
    name, output = call.get("name", "tool"), str(output_item.get("output", ""))
    if output.startswith("Error:"):
        return f"The `{name}` tool failed: {output.removeprefix('Error:').strip()}"
    if output.startswith('{"error": '):  # a client tool's failure, as JSON
        return f"The `{name}` tool failed: {json.loads(output)['error']}"
    if output.startswith('"'):  # a client tool's text result arrives JSON-encoded
        return str(json.loads(output))
    notebook = tool_reply(str(name), output)
    if notebook is not None:
        return notebook
    if name == "add_task":
        title = json.loads(call.get("arguments") or "{}").get("title", "")
        return f"Added **{title}** to your task list."
    if name == "list_tasks":
        if output == "No open tasks.":
            return "You have no open tasks."
        lines = "\n".join(f"- {line.split('. ', 1)[-1]}" for line in output.splitlines())
        return f"Your open tasks:\n\n{lines}"
    if name == "complete_task":
        return f"Marked **{output.removeprefix('Completed: ')}** as done."
    if name == "remove_task" and output.startswith("Removed: "):
        return f"Removed **{output.removeprefix('Removed: ')}** from your task list."
    if name == "remove_task":  # denied: the tool never ran
        return "I left your task list as it was."
    # Multi-line output (a printed table) keeps its layout in the rendered reply.
    return f"```\n{output}\n```" if "\n" in output else output


class OfflineDemoModel(Model):
    """An offline model that drives the task-manager demo agent.

    Args:
        delay: Seconds between streamed words (real waiting, so streaming is visible).
    """

    def __init__(self, delay: float = 0.03) -> None:
        self.delay = delay

    def __repr__(self) -> str:
        return f"OfflineDemoModel(delay={self.delay})"

    def _output(self, input: str | list[Any], tools: Any = ()) -> list[Any]:
        names = frozenset(str(getattr(tool, "name", "")) for tool in tools or ())
        step = plan_turn(input, names)
        if isinstance(step, tuple):
            name, arguments = step
            call_id = f"call_{uuid.uuid4().hex[:12]}"
            return [
                ResponseFunctionToolCall(
                    type="function_call",
                    id=f"fc_{uuid.uuid4().hex[:12]}",
                    call_id=call_id,
                    name=name,
                    arguments=arguments,
                    status="completed",
                )
            ]
        if isinstance(step, Thought):
            reasoning = ResponseReasoningItem(
                type="reasoning",
                id=f"rs_{uuid.uuid4().hex[:12]}",
                summary=[Summary(type="summary_text", text=part) for part in step.summary],
            )
            return [reasoning, _message(f"msg_{uuid.uuid4().hex[:12]}", step.reply)]
        if isinstance(step, Cited):
            return _search_output(step)
        return [_message(f"msg_{uuid.uuid4().hex[:12]}", step)]

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[Any],
        *args: Any,
        **kwargs: Any,
    ) -> ModelResponse:
        """Answer in one piece (non-streamed runs)."""
        output = self._output(input, _tools_of(args, kwargs))
        return ModelResponse(output=output, usage=Usage(), response_id=None)

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[Any],
        *args: Any,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Stream the answer word by word, as Responses API events."""
        output = self._output(input, _tools_of(args, kwargs))
        response = _response(output=[])
        seq = iter(range(1_000_000))
        yield ResponseCreatedEvent(
            type="response.created", response=response, sequence_number=next(seq)
        )
        for index, item in enumerate(output):
            is_message = isinstance(item, ResponseOutputMessage)
            if isinstance(item, ResponseReasoningItem):
                async for event in self._stream_reasoning(item, index, seq):
                    yield event
                continue
            if not is_message:
                await asyncio.sleep(self.delay)  # a tool call takes a moment too
            yield ResponseOutputItemAddedEvent(
                type="response.output_item.added",
                item=_message(item.id, "", status="in_progress") if is_message else item,
                output_index=index,
                sequence_number=next(seq),
            )
            if is_message:
                yield ResponseContentPartAddedEvent(
                    type="response.content_part.added",
                    item_id=item.id,
                    output_index=index,
                    content_index=0,
                    part=ResponseOutputText(type="output_text", text="", annotations=[]),
                    sequence_number=next(seq),
                )
                async for word in self._paced(item.content[0].text):
                    yield ResponseTextDeltaEvent(
                        type="response.output_text.delta",
                        item_id=item.id,
                        output_index=index,
                        content_index=0,
                        delta=word,
                        logprobs=[],
                        sequence_number=next(seq),
                    )
            yield ResponseOutputItemDoneEvent(
                type="response.output_item.done",
                item=item,
                output_index=index,
                sequence_number=next(seq),
            )
        yield ResponseCompletedEvent(
            type="response.completed", response=_response(output), sequence_number=next(seq)
        )

    async def _paced(self, text: str) -> AsyncIterator[str]:
        """The words of ``text`` (with the space before each), ``delay`` seconds apart."""
        start = time.monotonic()
        for index, word in enumerate(re.findall(r"\s*\S+", text)):
            await asyncio.sleep(max(0.0, start + (index + 1) * self.delay - time.monotonic()))
            yield word

    async def _stream_reasoning(
        self, item: ResponseReasoningItem, index: int, seq: Iterator[int]
    ) -> AsyncIterator[Any]:
        """A reasoning item: each summary part added, then streamed word by word."""
        opened = ResponseReasoningItem(type="reasoning", id=item.id, summary=[])
        yield ResponseOutputItemAddedEvent(
            type="response.output_item.added",
            item=opened,
            output_index=index,
            sequence_number=next(seq),
        )
        for part_index, part in enumerate(item.summary):
            yield ResponseReasoningSummaryPartAddedEvent(
                type="response.reasoning_summary_part.added",
                item_id=item.id,
                output_index=index,
                summary_index=part_index,
                part=Part(type="summary_text", text=""),
                sequence_number=next(seq),
            )
            async for word in self._paced(part.text):
                yield ResponseReasoningSummaryTextDeltaEvent(
                    type="response.reasoning_summary_text.delta",
                    item_id=item.id,
                    output_index=index,
                    summary_index=part_index,
                    delta=word,
                    sequence_number=next(seq),
                )
        yield ResponseOutputItemDoneEvent(
            type="response.output_item.done",
            item=item,
            output_index=index,
            sequence_number=next(seq),
        )


def _message(
    item_id: str, text: str, status: str = "completed", annotations: list[Any] | None = None
) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        type="message",
        id=item_id,
        role="assistant",
        status=status,  # type: ignore[arg-type]
        content=[ResponseOutputText(type="output_text", text=text, annotations=annotations or [])],
    )


def _response(output: list[Any]) -> Response:
    return Response(
        id=f"resp_{uuid.uuid4().hex[:12]}",
        created_at=0,
        model="offline-demo",
        object="response",
        output=output,
        parallel_tool_calls=False,
        tool_choice="auto",
        tools=[],
    )
