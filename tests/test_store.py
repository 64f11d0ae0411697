"""The store contract, run on every ``ChatStore``; then what only ``SQLiteStore`` promises."""

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from chatkit.store import NotFoundError
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    InferenceOptions,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTextContent,
)

from chatkit_widget import SQLiteStore
from chatkit_widget.demo import demo_agent
from chatkit_widget.server import create_app
from chatkit_widget.store import (
    ChatStore,
    PostgresStore,
    RunningTurn,
    StoreAdapter,
    as_chat_store,
    open_store,
    resolve_store,
)

from .support.memory_store import MemoryStore

T0 = datetime(2026, 1, 1, 12, 0, 0)


@pytest.fixture(params=["sqlite", "postgres", "adapter"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChatStore]:
    """Each ``ChatStore``: a SQLite file, a PostgreSQL database, and the adapter around a plain
    in-memory ``Store``."""
    if request.param == "sqlite":
        sqlite = SQLiteStore(tmp_path / "sub" / "chats.sqlite")
        yield sqlite
        sqlite.close()
    elif request.param == "postgres":
        postgres = PostgresStore(request.getfixturevalue("postgres_url"))
        yield postgres
        postgres.close()
    else:
        yield StoreAdapter(MemoryStore())


def user(thread: str, item_id: str, text: str) -> UserMessageItem:
    return UserMessageItem(
        id=item_id,
        thread_id=thread,
        created_at=T0,
        content=[UserMessageTextContent(text=text)],
        inference_options=InferenceOptions(),
    )


def assistant(thread: str, item_id: str, text: str) -> AssistantMessageItem:
    return AssistantMessageItem(
        id=item_id, thread_id=thread, created_at=T0, content=[AssistantMessageContent(text=text)]
    )


async def test_thread_and_items_round_trip(store: ChatStore) -> None:
    await store.save_thread(ThreadMetadata(id="thr_1", created_at=T0, title="Hello"), {})
    await store.add_thread_item("thr_1", user("thr_1", "msg_1", "hi"), {})
    await store.add_thread_item("thr_1", assistant("thr_1", "msg_2", "hello!"), {})
    assert (await store.load_thread("thr_1", {})).title == "Hello"
    page = await store.load_thread_items("thr_1", None, 10, "asc", {})
    assert [i.id for i in page.data] == ["msg_1", "msg_2"]
    assert isinstance(page.data[1], AssistantMessageItem)
    assert page.data[1].content[0].text == "hello!"


async def test_add_is_an_upsert_that_keeps_position(store: ChatStore) -> None:
    await store.save_thread(ThreadMetadata(id="t", created_at=T0), {})
    for i in range(3):
        await store.add_thread_item("t", assistant("t", f"m{i}", f"v{i}"), {})
    await store.add_thread_item("t", assistant("t", "m0", "changed"), {})
    items = store.all_items_sync("t")
    assert [i.id for i in items] == ["m0", "m1", "m2"]
    assert items[0].content[0].text == "changed"  # type: ignore[union-attr]


async def test_item_paging_both_directions(store: ChatStore) -> None:
    await store.save_thread(ThreadMetadata(id="t", created_at=T0), {})
    for i in range(5):
        await store.add_thread_item("t", user("t", f"m{i}", str(i)), {})
    first = await store.load_thread_items("t", None, 2, "asc", {})
    assert [i.id for i in first.data] == ["m0", "m1"] and first.has_more and first.after == "m1"
    second = await store.load_thread_items("t", first.after, 2, "asc", {})
    assert [i.id for i in second.data] == ["m2", "m3"]
    last = await store.load_thread_items("t", second.after, 2, "asc", {})
    assert [i.id for i in last.data] == ["m4"] and not last.has_more and last.after is None
    newest = await store.load_thread_items("t", None, 2, "desc", {})
    assert [i.id for i in newest.data] == ["m4", "m3"]


async def test_threads_page_newest_first_with_stable_cursors(store: ChatStore) -> None:
    for i in range(5):
        created = T0 + timedelta(minutes=i)
        await store.save_thread(ThreadMetadata(id=f"t{i}", created_at=created), {})
    seen: list[str] = []
    after = None
    while True:
        page = await store.load_threads(2, after, "desc", {})
        seen += [t.id for t in page.data]
        # activity on the cursor thread between pages must not move it
        if page.after:
            await store.add_thread_item(page.after, user(page.after, f"m{len(seen)}", "x"), {})
        if not page.has_more:
            break
        after = page.after
    assert seen == ["t4", "t3", "t2", "t1", "t0"]
    ascending = await store.load_threads(10, "t1", "asc", {})
    assert [t.id for t in ascending.data] == ["t2", "t3", "t4"]
    with pytest.raises(NotFoundError, match="paging cursor"):
        await store.load_threads(2, "t_deleted", "desc", {})


async def test_ids_are_long_enough_not_to_collide() -> None:
    store = SQLiteStore(":memory:")
    thread_id = store.generate_thread_id({})
    assert thread_id.startswith("thr_") and len(thread_id) == 24
    ids = {store.generate_thread_id({}) for _ in range(10_000)}
    assert len(ids) == 10_000


async def test_missing_rows_raise_not_found(store: ChatStore) -> None:
    with pytest.raises(NotFoundError):
        await store.load_thread("nope", {})
    with pytest.raises(NotFoundError):
        await store.load_item("nope", "x", {})
    with pytest.raises(NotFoundError):
        await store.load_attachment("nope", {})


async def test_delete_thread_removes_items(store: ChatStore) -> None:
    await store.save_thread(ThreadMetadata(id="t", created_at=T0), {})
    await store.add_thread_item("t", user("t", "m", "x"), {})
    await store.delete_thread_item("t", "m", {})
    assert store.all_items_sync("t") == []
    await store.add_thread_item("t", user("t", "m2", "x"), {})
    await store.delete_thread("t", {})
    with pytest.raises(NotFoundError):
        await store.load_thread("t", {})
    assert store.all_items_sync("t") == []


async def test_feedback_is_kept_per_item_and_goes_with_it(store: ChatStore) -> None:
    for thread in ("t", "u"):
        await store.save_thread(ThreadMetadata(id=thread, created_at=T0), {})
        await store.add_thread_item(thread, assistant(thread, "a1", "one"), {})
        await store.add_thread_item(thread, assistant(thread, "a2", "two"), {})
    await store.save_feedback("t", ["a1", "a2", "gone"], "positive", {})
    await store.save_feedback("t", ["a2"], "negative", {})  # a changed mind overwrites
    assert await store.load_feedback("t", {}) == {"a1": "positive", "a2": "negative"}
    assert store.feedback_sync("t") == {"a1": "positive", "a2": "negative"}
    assert await store.load_feedback("u", {}) == {}  # another thread's items are not rated
    await store.delete_thread_item("t", "a1", {})
    assert await store.load_feedback("t", {}) == {"a2": "negative"}
    await store.delete_thread("t", {})
    assert await store.load_feedback("t", {}) == {}


async def test_all_items_reads_past_one_page(store: ChatStore) -> None:
    await store.save_thread(ThreadMetadata(id="t", created_at=T0), {})
    for i in range(150):  # the default reads 100 a page
        await store.add_thread_item("t", user("t", f"m{i:03}", str(i)), {})
    expected = [f"m{i:03}" for i in range(150)]
    assert [i.id for i in await store.load_all_items("t", {})] == expected
    assert [i.id for i in store.all_items_sync("t")] == expected


async def test_sync_reads_answer_inside_a_running_loop(store: ChatStore) -> None:
    asyncio.get_running_loop()  # as in a notebook cell: the sync API may not block this loop
    store.save_thread_sync(ThreadMetadata(id="old", created_at=T0, title="Old"))
    await store.save_thread(ThreadMetadata(id="new", created_at=T0 + timedelta(hours=1)), {})
    await store.add_thread_item("old", user("old", "m1", "hi"), {})
    assert store.load_thread_sync("old").title == "Old"
    with pytest.raises(NotFoundError):
        store.load_thread_sync("nope")
    listed = store.threads_with_activity_sync(10)
    assert [t.id for t, _ in listed] == ["new", "old"]
    for _, when in listed:
        datetime.fromisoformat(when)  # ISO 8601, or this raises
    assert [t.id for t, _ in store.threads_with_activity_sync(1)] == ["new"]
    assert [i.id for i in store.all_items_sync("old")] == ["m1"]


def test_sync_reads_answer_without_a_loop(store: ChatStore) -> None:
    store.save_thread_sync(ThreadMetadata(id="t", created_at=T0, title="Plain"))
    assert store.load_thread_sync("t").title == "Plain"
    assert store.feedback_sync("t") == {}


async def test_existence_is_answered_without_a_user(store: ChatStore) -> None:
    await store.save_thread(ThreadMetadata(id="t", created_at=T0), {})
    assert await store.thread_exists("t") and not await store.thread_exists("nope")
    assert not await store.owns_thread("nope", "alice")


def test_any_store_argument_becomes_a_chat_store(tmp_path: Path) -> None:
    plain = MemoryStore()
    adapted = as_chat_store(plain)
    assert isinstance(adapted, StoreAdapter) and adapted.store is plain
    assert as_chat_store(adapted) is adapted  # no adapter around an adapter
    sqlite = SQLiteStore(tmp_path / "c.sqlite")
    assert as_chat_store(sqlite) is sqlite and resolve_store(sqlite) is sqlite
    assert isinstance(resolve_store(plain), StoreAdapter)
    assert repr(adapted) == "MemoryStore()"  # errors name the user's store
    with pytest.raises(TypeError, match=r"chatkit\.store\.Store"):
        as_chat_store("chats.sqlite")  # type: ignore[arg-type]


def test_local_dir_is_where_companion_files_may_go(tmp_path: Path) -> None:
    assert SQLiteStore(tmp_path / "a" / "c.sqlite").local_dir == tmp_path / "a"
    assert SQLiteStore(":memory:").local_dir is None
    assert StoreAdapter(MemoryStore()).local_dir is None


def test_serve_refuses_a_store_that_does_not_keep_users_apart() -> None:
    assert SQLiteStore.scopes_by_user and not StoreAdapter.scopes_by_user
    with pytest.raises(TypeError, match="scopes_by_user"):
        create_app(demo_agent(), store=StoreAdapter(MemoryStore()), secret="s" * 32)
    with pytest.raises(TypeError, match="scopes_by_user"):
        create_app(demo_agent(), store=MemoryStore(), secret="s" * 32)  # type: ignore[arg-type]


# -- what the database stores (SQLite, PostgreSQL) promise beyond the contract ----------------


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a database store lives: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "chats.sqlite")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db_store(db_url: str) -> Iterator[SQLiteStore | PostgresStore]:
    store = open_store(db_url)
    yield store
    store.close()


async def test_activity_time_moves_with_new_items(db_store: ChatStore) -> None:
    await db_store.save_thread(ThreadMetadata(id="t", created_at=T0), {})
    [(_, before)] = await db_store.threads_with_activity(10, {})
    await db_store.add_thread_item("t", user("t", "m", "x"), {})
    [(_, after)] = await db_store.threads_with_activity(10, {})
    assert after > before


def test_reopened_by_a_new_process(db_url: str) -> None:
    store = open_store(db_url)
    store.save_thread_sync(ThreadMetadata(id="thr_x", created_at=T0, title="Persisted"))
    store.run_sync(store.add_thread_item("thr_x", user("thr_x", "msg_a", "remember me"), {}))
    store.close()
    code = (
        "import asyncio, sys\n"
        "from chatkit_widget.store import open_store\n"
        "s = open_store(sys.argv[1])\n"
        "t = s.load_thread_sync('thr_x')\n"
        "items = s.all_items_sync('thr_x')\n"
        "print(t.title, items[0].content[0].text)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, db_url], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "Persisted remember me"


ALICE, BOB = {"user": "alice"}, {"user": "bob"}


async def test_a_user_context_owns_and_scopes_threads(db_store: ChatStore) -> None:
    store = db_store
    await store.save_thread(ThreadMetadata(id="a1", created_at=T0, title="Alice's"), ALICE)
    await store.save_thread(ThreadMetadata(id="b1", created_at=T0 + timedelta(minutes=1)), BOB)
    await store.save_thread(ThreadMetadata(id="w1", created_at=T0 + timedelta(minutes=2)), {})
    await store.add_thread_item("a1", user("a1", "m1", "hi"), ALICE)
    await store.save_feedback("a1", ["m1"], "positive", ALICE)

    assert (await store.load_thread("a1", ALICE)).title == "Alice's"
    for load in (
        store.load_thread("a1", BOB),
        store.load_thread_items("a1", None, 10, "asc", BOB),
        store.load_item("a1", "m1", BOB),
        store.load_all_items("a1", BOB),
        store.load_feedback("a1", BOB),
        store.save_feedback("a1", ["m1"], "negative", BOB),
        store.load_thread("w1", BOB),  # an unowned (notebook) thread is no user's
    ):
        with pytest.raises(NotFoundError):
            await load
    assert await store.load_feedback("a1", ALICE) == {"m1": "positive"}
    assert [t.id for t in (await store.load_threads(10, None, "desc", ALICE)).data] == ["a1"]
    assert [t.id for t in (await store.load_threads(10, None, "desc", BOB)).data] == ["b1"]
    with pytest.raises(NotFoundError, match="paging cursor"):  # a cursor into bob's threads
        await store.load_threads(10, "b1", "desc", ALICE)
    assert [i.id for i in (await store.load_thread_items("a1", None, 10, "asc", ALICE)).data] == [
        "m1"
    ]
    # Without a user (the notebook widget), every thread is visible, as before.
    assert [t.id for t in (await store.load_threads(10, None, "desc", {})).data] == [
        "w1",
        "b1",
        "a1",
    ]
    assert (await store.load_thread("a1", {})).title == "Alice's"
    assert await store.owns_thread("a1", "alice") and not await store.owns_thread("a1", "bob")
    assert [t.id for t, _ in await store.threads_with_activity(10, BOB)] == ["b1"]


async def test_saving_never_changes_an_owner(db_store: ChatStore) -> None:
    store = db_store
    await store.save_thread(ThreadMetadata(id="a1", created_at=T0, title="Alice's"), ALICE)
    with pytest.raises(NotFoundError):
        await store.save_thread(ThreadMetadata(id="a1", created_at=T0, title="Bob's now"), BOB)
    assert (await store.load_thread("a1", ALICE)).title == "Alice's"
    await store.save_thread(ThreadMetadata(id="a1", created_at=T0, title="Renamed"), ALICE)
    await store.save_thread(ThreadMetadata(id="a1", created_at=T0, title="By the notebook"), {})
    assert (await store.load_thread("a1", ALICE)).title == "By the notebook"
    assert await store.owns_thread("a1", "alice")


async def test_running_turns_are_seen_and_claimed_once(db_store: ChatStore) -> None:
    await db_store.save_thread(ThreadMetadata(id="t", created_at=T0), {})
    turn = RunningTurn("turn_1", "t", owner="host:1:2:3", beat=100.0, after_item="m0")
    await db_store.save_running_turn(turn)
    await db_store.save_running_turn(RunningTurn("turn_1", "t", "host:1:2:3", 160.0, "m0"))
    assert await db_store.running_turns("t") == [
        RunningTurn("turn_1", "t", "host:1:2:3", 160.0, "m0")
    ]
    assert db_store.running_turns_sync("t") == await db_store.running_turns("t")
    claims = await asyncio.gather(*(db_store.end_running_turn("turn_1") for _ in range(4)))
    assert sorted(claims) == [False, False, False, True]
    assert await db_store.running_turns("t") == []


async def test_a_thread_starts_one_running_turn_at_a_time_across_processes(
    db_url: str, db_store: ChatStore
) -> None:
    other = open_store(db_url)  # its own connections, as another process has
    for thread_id in ("t", "u"):
        await db_store.save_thread(ThreadMetadata(id=thread_id, created_at=T0), {})

    def turn(n: int, thread_id: str = "t") -> RunningTurn:
        return RunningTurn(f"turn_{n}", thread_id, "host:1:2:3", 100.0)

    started = await asyncio.gather(
        *(store.start_running_turn(turn(n)) for n in range(8) for store in (db_store, other))
    )
    assert started.count(True) == 1
    (running,) = await other.running_turns("t")
    assert await db_store.start_running_turn(turn(9, "u")), "other threads are not held"
    assert await other.end_running_turn(running.id)
    assert await db_store.start_running_turn(turn(10))
    other.close()


async def test_turns_are_counted_per_user_and_window(db_store: ChatStore) -> None:
    assert await db_store.count_turn("alice", 7) == (1, 0)
    assert await db_store.count_turn("alice", 7) == (2, 0)
    assert await db_store.count_turn("bob", 7) == (1, 0)
    assert await db_store.count_turn("alice", 8) == (1, 2)
    assert await db_store.count_turn("alice", 10) == (1, 0)


def test_a_url_is_never_taken_for_a_file_name(tmp_path: Path) -> None:
    for url in ("sqlite:///chats.db", "mysql://me:hunter2@db/chat", "postgresq://db/chat"):
        with pytest.raises(ValueError, match="cannot open") as error:
            resolve_store(url)
        assert "hunter2" not in str(error.value)
    assert list(tmp_path.iterdir()) == []
    assert isinstance(resolve_store("postgresql://db.invalid/chat"), PostgresStore)


# -- what only SQLiteStore promises -----------------------------------------------------------


def test_files_without_an_owner_column_are_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE threads (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, "
        "updated_at TEXT NOT NULL, data TEXT NOT NULL)"
    )
    old = ThreadMetadata(id="thr_old", created_at=T0, title="Before owners")
    conn.execute(
        "INSERT INTO threads VALUES (?, ?, ?, ?)",
        (old.id, T0.isoformat(), T0.isoformat(), old.model_dump_json()),
    )
    conn.commit()
    conn.close()

    store = SQLiteStore(path)
    columns = [row[1] for row in store._query("PRAGMA table_info(threads)")]
    assert columns[-1] == "owner"
    assert store.load_thread_sync("thr_old").title == "Before owners"
    with pytest.raises(NotFoundError):
        store.load_thread_sync("thr_old", owner="alice")
    store.save_thread_sync(ThreadMetadata(id="thr_new", created_at=T0), owner="alice")
    store.close()
    assert SQLiteStore(path).owns_thread_sync("thr_new", "alice")  # reopening is a no-op
