"""What tests/test_serve.py serves: an agent on the offline demo model, and a factory for one."""

from __future__ import annotations

from typing import Any

from agents import Agent, function_tool

from chatkit_widget.demo import OfflineDemoModel, TaskList


@function_tool
def divide(a: float, b: float) -> str:
    """Divide a by b.

    Args:
        a: The dividend.
        b: The divisor.
    """
    return str(a / b)


def make_agent() -> Agent[Any]:
    return Agent(
        name="Serve test agent",
        instructions="Answer briefly.",
        model=OfflineDemoModel(delay=0.01),
        tools=[*TaskList().tools(), divide],
    )


agent = make_agent()
not_an_agent = 42


def not_a_factory() -> int:
    return 42
