"""Several kernels on one store file at once (the default store is shared by every notebook)."""

from __future__ import annotations

import asyncio
import multiprocessing
import subprocess
import sys
import textwrap
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from chatkit.types import ThreadMetadata

from chatkit_widget.store import SQLiteStore

PROCESSES = 4
TURNS = 100
ROUNDS = 30  # new files opened by all the processes at once (it failed about 1 round in 8)

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


def _open_new_files_in_step(folder: str, barrier: Any, rounds: int) -> None:
    """A process of the test below: opens round after round's new file with the others."""
    try:
        for n in range(rounds):
            barrier.wait(timeout=60)
            SQLiteStore(Path(folder) / f"new-{n}.sqlite").close()
    except BaseException:
        barrier.abort()  # the others stop at once rather than wait out the barrier
        raise


def test_processes_opening_one_new_file_at_once_all_open_it(tmp_path: Path) -> None:
    """Kernels started together race to switch a new file to WAL: none may fail."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(PROCESSES)
    procs = [
        spawn.Process(target=_open_new_files_in_step, args=(str(tmp_path), barrier, ROUNDS))
        for _ in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [proc.exitcode for proc in procs] == [0] * PROCESSES
    assert len(list(tmp_path.glob("new-*.sqlite"))) == ROUNDS


async def test_a_read_while_another_thread_holds_the_connection_leaves_the_loop_free(
    tmp_path: Path,
) -> None:
    """Reads run on the loop only when nothing would make them wait; otherwise off it."""
    store = SQLiteStore(tmp_path / "chats.sqlite")
    thread = ThreadMetadata(id="thr_1", created_at=datetime.now())
    await store.save_thread(thread, {})
    holding, release = threading.Event(), threading.Event()

    def hold_the_connection() -> None:
        with store._lock:  # as a write on a worker thread does while it waits for the file
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_connection)
    holder.start()
    holding.wait(10)
    read = asyncio.ensure_future(store.load_thread("thr_1", {}))
    ticks = 0
    while ticks < 5:  # the loop keeps running other work while the read waits
        await asyncio.sleep(0.01)
        ticks += 1
    assert not read.done()
    release.set()
    assert (await asyncio.wait_for(read, 10)).id == "thr_1"
    holder.join()
