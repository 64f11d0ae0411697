"""The demo agent's task list: a few function tools over a real SQLite table."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from agents import FunctionTool, function_tool


class TaskList:
    """Open and completed tasks in a SQLite file (or ``":memory:"``)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                "title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)"
            )

    def add(self, title: str) -> int:
        """Add an open task and return its number."""
        title = title.strip()
        if not title:
            raise ValueError("A task needs a title.")
        with self._lock:
            cursor = self._conn.execute("INSERT INTO tasks (title) VALUES (?)", (title,))
        return int(cursor.lastrowid or 0)

    def open_tasks(self) -> list[tuple[int, str]]:
        """Open tasks, oldest first, as ``(number, title)``."""
        with self._lock:
            rows = self._conn.execute("SELECT id, title FROM tasks WHERE done = 0 ORDER BY id")
            return [(int(r[0]), str(r[1])) for r in rows.fetchall()]

    def complete(self, title: str) -> str:
        """Mark the open task with this title (or number) done and return its title.

        Raises:
            ValueError: if no open task matches.
        """
        wanted = title.strip().lower().lstrip("#")
        for number, task in self.open_tasks():
            if wanted in (task.lower(), str(number)):
                with self._lock:
                    self._conn.execute("UPDATE tasks SET done = 1 WHERE id = ?", (number,))
                return task
        raise ValueError(f"No open task matches {title.strip()!r}.")

    def remove(self, title: str) -> str:
        """Delete the task with this title (or number), open or done, and return its title.

        Raises:
            ValueError: if no task matches.
        """
        wanted = title.strip().lower().lstrip("#")
        with self._lock:
            rows = self._conn.execute("SELECT id, title FROM tasks ORDER BY id").fetchall()
            for number, task in rows:
                if wanted in (str(task).lower(), str(number)):
                    self._conn.execute("DELETE FROM tasks WHERE id = ?", (number,))
                    return str(task)
        raise ValueError(f"No task matches {title.strip()!r}.")

    def tools(self) -> list[FunctionTool]:
        """The agent tools bound to this list.

        ``add_task``, ``list_tasks``, ``complete_task``, and ``remove_task``, which deletes
        only after a person approves the call.
        """

        @function_tool
        def add_task(title: str) -> str:
            """Add a task to the user's task list.

            Args:
                title: What needs doing.
            """
            return f"Added task #{self.add(title)}: {title.strip()}"

        @function_tool
        def list_tasks() -> str:
            """List the user's open tasks."""
            tasks = self.open_tasks()
            if not tasks:
                return "No open tasks."
            return "\n".join(f"{number}. {title}" for number, title in tasks)

        @function_tool
        def complete_task(title: str) -> str:
            """Mark an open task as done.

            Args:
                title: The task's title or number.
            """
            return f"Completed: {self.complete(title)}"

        @function_tool(needs_approval=True)
        def remove_task(title: str) -> str:
            """Delete a task for good (the user approves each deletion).

            Args:
                title: The task's title or number.
            """
            return f"Removed: {self.remove(title)}"

        return [add_task, list_tasks, complete_task, remove_task]
