"""Client tools: Python functions in the notebook that the agent calls through ChatKit.

ChatKit's client tools end a turn with a pending ``client_tool_call`` item; the client runs the
tool and posts ``threads.add_client_tool_output``, which continues the turn. Here the "client"
is the kernel: ``@chat.client_tool`` registers a function, the bridge runs it when a stream ends
with a pending call, and the result goes back to the backend. With the in-process agent the
tools are offered to the model too; with a remote ChatKit server, the server decides which
client tools it calls and the notebook supplies them.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agents import FunctionTool, RunContextWrapper
from agents.function_schema import FuncSchema, function_schema
from agents.tool_context import ToolContext
from pydantic import ValidationError

from ._chatkit_json import JSONObject, StreamEvent, ThreadItemJSON

#: What the model sees as the proxy tool's output; the real result arrives in the next turn.
HANDED_OFF = "Sent to the notebook to run; its result follows."


@dataclass
class ClientTool:
    """A registered client tool: the function and the JSON schema derived from its signature."""

    name: str
    description: str
    fn: Callable[..., Any]
    schema: FuncSchema
    #: A person approves each call before the client is asked to run it.
    needs_approval: bool = False
    #: Every call is approved on its own: no "Always allow" (a tool that runs code, where a
    #: later call's arguments are what the person would be approving).
    ask_every_time: bool = False

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        name: str | None = None,
        description: str | None = None,
        *,
        needs_approval: bool = False,
        ask_every_time: bool = False,
    ) -> ClientTool:
        """Build a tool from a (sync or async) function's signature and docstring.

        ``ask_every_time`` implies ``needs_approval``.
        """
        schema = function_schema(fn, name_override=name, description_override=description)
        return cls(
            name=schema.name,
            description=schema.description or "",
            fn=fn,
            schema=schema,
            needs_approval=needs_approval or ask_every_time,
            ask_every_time=ask_every_time,
        )

    @property
    def parameters(self) -> JSONObject:
        """The JSON schema of the arguments."""
        return self.schema.params_json_schema

    async def run(self, arguments: JSONObject) -> Any:
        """Call the function; failures become ``{"error": "..."}`` for the model to see."""
        try:
            parsed = self.schema.params_pydantic_model(**arguments)
        except ValidationError as exc:
            return {"error": f"Invalid arguments for {self.name}: {exc.errors()[0]['msg']}"}
        args, kwargs = self.schema.to_call_args(parsed)
        try:
            result = self.fn(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
        return _jsonable(result)

    def as_agent_tool(self) -> FunctionTool:
        """A tool the model can call; calling it ends the run so the notebook can answer."""

        async def hand_off(_ctx: ToolContext[Any], _args: str) -> str:
            return HANDED_OFF

        return FunctionTool(
            name=self.name,
            description=self.description,
            params_json_schema=self.parameters,
            on_invoke_tool=hand_off,
            strict_json_schema=self.schema.strict_json_schema,
            needs_approval=self.needs_approval,
        )


def pending_client_call(event: StreamEvent) -> ThreadItemJSON | None:
    """The item of a stream event that leaves a client tool call for the client to run."""
    if (
        event["type"] == "thread.item.done"
        and event["item"]["type"] == "client_tool_call"
        and event["item"].get("status") == "pending"
    ):
        return event["item"].copy()
    return None


def stop_at_client_tools(
    names: set[str], original: Any
) -> Callable[[RunContextWrapper[Any], list[Any]], Any]:
    """A ``tool_use_behavior`` that ends the run when a client tool was called.

    Otherwise it behaves as the agent's own setting (``original``) would.
    """

    async def behavior(context: RunContextWrapper[Any], results: list[Any]) -> Any:
        from agents.agent import ToolsToFinalOutputResult

        if any(r.tool.name in names for r in results):
            return ToolsToFinalOutputResult(is_final_output=True, final_output=HANDED_OFF)
        if original == "stop_on_first_tool" and results:
            return ToolsToFinalOutputResult(is_final_output=True, final_output=results[0].output)
        if isinstance(original, dict):
            stop = set(original.get("stop_at_tool_names", []))
            for result in results:
                if result.tool.name in stop:
                    return ToolsToFinalOutputResult(
                        is_final_output=True, final_output=result.output
                    )
        if callable(original):
            decided = original(context, results)
            return await decided if inspect.isawaitable(decided) else decided
        return ToolsToFinalOutputResult(is_final_output=False, final_output=None)

    return behavior


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value
