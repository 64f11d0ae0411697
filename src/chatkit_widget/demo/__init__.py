"""The offline demo: a deterministic model and a task-manager agent whose tools use SQLite."""

from __future__ import annotations

from pathlib import Path

from agents import Agent

from ._offline_model import OfflineDemoModel
from ._tasks import TaskList

__all__ = ["OfflineDemoModel", "TaskList", "demo_agent"]

INSTRUCTIONS = (
    "You are a helpful assistant in a Jupyter notebook. You manage the user's task list with "
    "the add_task, list_tasks and complete_task tools. Answer concisely in Markdown."
)


def demo_agent(tasks: TaskList | str | Path = ":memory:", model: object | None = None) -> Agent:
    """The task-manager agent; with no ``model`` it runs the offline demo model."""
    task_list = tasks if isinstance(tasks, TaskList) else TaskList(tasks)
    return Agent(
        name="Task assistant",
        instructions=INSTRUCTIONS,
        model=model if model is not None else OfflineDemoModel(),  # type: ignore[arg-type]
        tools=list(task_list.tools()),
    )
