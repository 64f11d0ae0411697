"""Several kernels on one store file at once (the default store is shared by every notebook)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from chatkit_widget.store import SQLiteStore

PROCESSES = 4
TURNS = 100

KERNEL = textwrap.dedent(
    """
    import asyncio, sys
    from agents import set_tracing_disabled
    from chatkit_widget import ChatWidget, OfflineDemoModel
    from chatkit_widget.demo import demo_agent

    set_tracing_disabled(True)

    async def main(db, name, turns):
        chat = ChatWidget(agent=demo_agent(":memory:", OfflineDemoModel(delay=0)), store=db)
        for i in range(turns):
            if i % 5 == 0:
                chat.new_thread()
            assert await chat.ask(f"echo: {name} {i}") == f"{name} {i}"
        chat.close()

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    """
)


def test_four_processes_writing_one_store_at_once_all_succeed(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", KERNEL, str(db), f"p{n}", str(TURNS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "locked" not in err, err

    store = SQLiteStore(db)
    threads = store.load_threads_sync(1000, None, "desc").data
    assert len(threads) == PROCESSES * TURNS // 5
    said = sorted(
        item.content[0].text  # type: ignore[union-attr]
        for thread in threads
        for item in store.all_items_sync(thread.id)
        if item.type == "user_message"
    )
    expected = sorted(f"echo: p{n} {i}" for n in range(PROCESSES) for i in range(TURNS))
    assert said == expected, "every turn of every process is stored, once"
