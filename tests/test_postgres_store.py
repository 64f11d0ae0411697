"""What only the PostgreSQL store promises: its schema, outages and recovery, many processes.

The store contract itself (``tests/test_store.py``) runs on PostgreSQL as on SQLite. Every
test here talks to a real PostgreSQL server the tests start (``tests/support/postgres.py``);
those that stop it get a server of their own.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from chatkit.types import ThreadMetadata

from chatkit_widget import ChatWidget, OfflineDemoModel
from chatkit_widget._cli import main
from chatkit_widget.demo import demo_agent
from chatkit_widget.server import mint_token
from chatkit_widget.store import PostgresStore, StoreUnavailableError
from chatkit_widget.store._postgres import SCHEMA_VERSION

from .support.http_servers import serve_process
from .support.postgres import PostgresServer

T0 = datetime(2026, 1, 1, 12, 0, 0)
SECRET = "postgres-test-secret-0123456789abcdef0123456789abcdef"


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server only this test stops and starts."""
    server = PostgresServer()
    yield server
    server.remove()


async def fetch(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def test_tables_live_in_their_own_versioned_schema(postgres_url: str) -> None:
    store = PostgresStore(postgres_url)
    await store.save_thread(ThreadMetadata(id="thr_1", created_at=T0), {})
    tables = await fetch(
        postgres_url,
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY table_name",
    )
    assert {row["table_schema"] for row in tables} == {"chatkit_widget"}
    assert {row["table_name"] for row in tables} >= {"threads", "items", "schema_version"}
    versions = await fetch(postgres_url, "SELECT version FROM chatkit_widget.schema_version")
    assert [row["version"] for row in versions] == [SCHEMA_VERSION]
    store.close()

    # A database a newer release has migrated is left alone, with a clear reason.
    conn = await asyncpg.connect(postgres_url)
    await conn.execute(f"INSERT INTO chatkit_widget.schema_version VALUES ({SCHEMA_VERSION + 1})")
    await conn.close()
    newer = PostgresStore(postgres_url)
    with pytest.raises(RuntimeError, match="newer than this release"):
        await newer.thread_exists("thr_1")
    newer.close()


async def test_workers_starting_together_create_the_schema_once(postgres_url: str) -> None:
    stores = [PostgresStore(postgres_url) for _ in range(4)]
    await asyncio.gather(
        *(
            store.save_thread(ThreadMetadata(id=f"thr_{n}", created_at=T0), {})
            for n, store in enumerate(stores)
        )
    )
    versions = await fetch(postgres_url, "SELECT version FROM chatkit_widget.schema_version")
    assert [row["version"] for row in versions] == [SCHEMA_VERSION]
    assert all([await store.thread_exists(f"thr_{n}") for n in range(4) for store in stores])
    for store in stores:
        store.close()


async def test_an_outage_is_a_clear_error_and_the_store_recovers_by_itself(
    own_server: PostgresServer,
) -> None:
    url = own_server.url.replace("postgres@", "postgres:hunter2@")  # trust: the password is unused
    store = PostgresStore(url, connect_timeout=2)
    assert "hunter2" not in repr(store) and "***" in repr(store)
    await store.save_thread(ThreadMetadata(id="thr_1", created_at=T0), {})

    own_server.stop()
    for _ in range(2):  # the pooled connection is gone, then no new one can be made
        with pytest.raises(StoreUnavailableError, match="unreachable") as error:
            await store.thread_exists("thr_1")
        assert "hunter2" not in str(error.value)
    with pytest.raises(StoreUnavailableError):
        store.all_items_sync("thr_1")

    own_server.start()
    assert await store.thread_exists("thr_1")  # the same store object, reconnected
    assert store.load_thread_sync("thr_1").id == "thr_1"
    store.close()


async def test_a_database_down_from_the_start_is_retried_on_the_next_call(
    own_server: PostgresServer,
) -> None:
    own_server.stop()
    store = PostgresStore(own_server.url, connect_timeout=2)
    with pytest.raises(StoreUnavailableError):
        await store.thread_exists("thr_1")
    own_server.start()
    assert not await store.thread_exists("thr_1")
    store.close()


async def test_a_save_handed_over_lands_even_when_its_caller_is_cancelled(
    postgres_url: str,
) -> None:
    # ChatKit saves a stopped reply while its task is being cancelled.
    store = PostgresStore(postgres_url)
    await store.save_thread(ThreadMetadata(id="thr_1", created_at=T0, title="before"), {})

    async def save_then_cancelled() -> None:
        save = store.save_thread(ThreadMetadata(id="thr_1", created_at=T0, title="after"), {})
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await save

    with pytest.raises(asyncio.CancelledError):
        await asyncio.create_task(save_then_cancelled())
    assert (await store.load_thread("thr_1", {})).title == "after"
    store.close()


async def test_a_notebook_chat_on_postgres_is_reopened_by_another_kernel(
    postgres_url: str, tmp_path: Path
) -> None:
    url = postgres_url.replace("postgres@", "postgres:hunter2@")  # trust: the password is unused
    agent = demo_agent(tmp_path / "tasks.json", OfflineDemoModel(delay=0))
    chat = ChatWidget(agent=agent, store=url)
    assert await chat.ask("add a task: water the plants")
    thread_id = chat.thread_id
    chat.close()

    again = ChatWidget(agent=agent, store=url, thread_id=thread_id)
    user, *_, reply = again.messages
    assert user["text"] == "add a task: water the plants"
    assert "water the plants" in reply["text"]
    assert [thread["id"] for thread in again.threads()] == [thread_id]
    assert "hunter2" not in repr(again) and "hunter2" not in str(again.get_state())
    again.close()


def test_serve_answers_503_while_postgres_is_down_and_recovers_without_a_restart(
    own_server: PostgresServer,
) -> None:
    database = own_server.new_database().replace("postgres@", "postgres:hunter2@")
    headers = {"Authorization": f"Bearer {mint_token('ada', secret=SECRET)}"}
    listing = {"type": "threads.list", "params": {}}
    with serve_process("tests.support.serve_target:agent", database, SECRET) as served:
        with httpx.Client(base_url=served.url, headers=headers, timeout=30) as client:
            reply = client.post("/api/chat", json={"message": "count to 5"})
            assert reply.status_code == 200 and '"content": " 5"' in reply.text
            assert client.get("/ready").status_code == 200

            own_server.stop()
            for _ in range(2):
                down = client.post("/chatkit", json=listing)
                assert down.status_code == 503 and down.headers["retry-after"]
                assert "try again" in down.json()["detail"]
                assert "postgres" not in down.text.lower(), "no database details for users"
            assert client.get("/ready").status_code == 503
            assert client.post("/api/chat", json={"message": "hi"}).status_code == 503
            assert client.get("/health").status_code == 200  # alive: not to be restarted

            own_server.start()
            assert client.get("/ready").status_code == 200
            (thread,) = client.post("/chatkit", json=listing).json()["data"]
            oldest_first = {"thread_id": thread["id"], "order": "asc"}
            items = client.post(
                "/chatkit", json={"type": "items.list", "params": oldest_first}
            ).json()["data"]
            assert [item["type"] for item in items] == ["user_message", "assistant_message"]
    logged = served.output()
    assert "unreachable" in logged  # the operator sees why, a line per request
    assert "Traceback" not in logged, "an outage fails every request: no traceback each"
    assert all("hunter2" not in line for line in logged.splitlines())


def test_a_reply_streaming_while_postgres_restarts_finishes_and_is_stored_whole(
    own_server: PostgresServer,
) -> None:
    database = own_server.new_database()
    headers = {"Authorization": f"Bearer {mint_token('ada', secret=SECRET)}"}
    counted = " ".join(str(n) for n in range(1, 301))
    with serve_process("tests.support.serve_target:agent", database, SECRET) as served:
        parts: list[str] = []
        with httpx.stream(
            "POST",
            served.url + "/api/chat",
            json={"message": "count to 300"},  # 3 s at 100 tokens a second
            headers=headers,
            timeout=60,
        ) as reply:
            assert reply.status_code == 200
            for line in reply.iter_lines():
                if line.startswith('data: {"content"'):
                    parts.append(json.loads(line.removeprefix("data: "))["content"])
                    if len(parts) == 20:  # checkpointed by now; the database goes away
                        own_server.stop()
                        own_server.start()
        assert "".join(parts) == counted

        with httpx.Client(base_url=served.url, headers=headers, timeout=30) as client:
            (thread,) = client.post("/chatkit", json={"type": "threads.list", "params": {}}).json()[
                "data"
            ]
            oldest_first = {"thread_id": thread["id"], "order": "asc"}
            items = client.post(
                "/chatkit", json={"type": "items.list", "params": oldest_first}
            ).json()["data"]
            user, answer = items
            assert user["content"][0]["text"] == "count to 300"
            assert answer["content"][0]["text"] == counted
            assert not answer.get("incomplete") and not answer.get("interrupted")


@pytest.mark.parametrize("missing", ["database", "role"])
def test_serve_refuses_a_database_or_role_that_does_not_exist_in_one_line(
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    missing: str,
) -> None:
    monkeypatch.setenv("CHATKIT_WIDGET_SECRET", SECRET)
    url = postgres_server.url_of("no_such_database")
    if missing == "role":
        url = postgres_server.url.replace("postgres@", "nobody:hunter2@")
    assert main(["serve", "tests.support.serve_target:agent", "--store", url]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "does not exist" in err and "hunter2" not in err
