"""``chatkit-widget serve`` under many concurrent streaming users, against a bare SSE floor.

For each store (a SQLite file; a PostgreSQL server this script starts) and worker count, it
starts ``serve`` on 127.0.0.1 with the offline model streaming at ``--rate`` tokens a second,
then, for each level of concurrent users, has every user run ``--turns`` turns on the SSE chat
API (``/api/chat``, one conversation) and as many on ChatKit's (``/chatkit``, one thread), all
users at once. It prints time to first token (p50 / p99), tokens streamed per second in total,
errors, and the server's CPU per streamed token (every process of it, from ``/proc``). In the
same run a bare FastAPI endpoint streaming the same tokens with no agent or store
(``benchmarks/serve/bare_sse.py``) gives the floor, on the SSE chat API's frames.

After each level it verifies every user's conversations through the API: every turn there once,
in order, its reply whole; no item twice; no other user's conversation visible.

    python benchmarks/serve_load.py [--users 10,50,100,200] [--workers 1,2]
        [--stores sqlite,postgres] [--turns 2] [--rate 50] [--tokens 100] [--ramp 0]

Everything talks to 127.0.0.1; each level stops after ``--limit`` seconds, whatever is left
counted as errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from chatkit_widget.server import mint_token

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' server helpers
from tests.support.http_servers import free_port
from tests.support.postgres import PostgresServer

HERE = Path(__file__).resolve().parent
SECRET = "load-benchmark-secret-0123456789abcdef0123456789abcdef"


@dataclass
class Level:
    """What one level of concurrent users measured."""

    ttft: list[float] = field(default_factory=list)
    tokens: int = 0
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    generator_cpu: float = 0.0
    problems: list[str] = field(default_factory=list)


@dataclass
class User:
    name: str
    headers: dict[str, str]
    conversation: str | None = None
    thread: str | None = None
    asked: list[tuple[str, str]] = field(default_factory=list)  # (protocol, message)


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[psutil.Process]:
    """Run a server process until the block ends; yields it once ``/health`` answers."""
    log = tempfile.TemporaryFile()  # the access log: a pipe nobody reads would fill and block
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{command[0]} exited: {log.read().decode()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not answer")
            time.sleep(0.1)
        time.sleep(2)  # every worker up, not only the first
        yield psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def cpu_seconds(process: psutil.Process) -> float:
    """CPU time of a server: the process and every worker it started."""
    total = 0.0
    for one in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = one.cpu_times()
            total += times.user + times.system
    return total


def counted(n: int) -> str:
    return " ".join(str(i) for i in range(1, n + 1))


async def post_lines(
    port: int, path: str, body: object, headers: dict[str, str]
) -> AsyncIterator[bytes]:
    """POST over HTTP/1.1 on 127.0.0.1 and yield the response body's lines (chunked or not).

    A few lines of asyncio rather than httpx: at a few thousand SSE lines a second the load
    generator shares these two cores with the server, and must cost it little.

    Raises:
        ConnectionError: A status other than 200, or the stream ended mid-chunk.
    """
    payload = json.dumps(body).encode()
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n{head}\r\n".encode()
            + payload
        )
        status = await reader.readline()
        if b" 200 " not in status:
            raise ConnectionError(f"{path} {status.decode().strip()}")
        chunked = False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            chunked = chunked or line.lower().startswith(b"transfer-encoding: chunked")
        rest = b""
        while True:
            if chunked:
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    break
                data = await reader.readexactly(size + 2)
                data = data[:-2]
            else:
                data = await reader.read(65536)
                if not data:
                    break
            *lines, rest = (rest + data).split(b"\n")
            for one in lines:
                if one:
                    yield one
    except asyncio.IncompleteReadError as exc:
        raise ConnectionError(f"{path}: the stream ended mid-chunk") from exc
    finally:
        writer.close()


async def stream_turn(port: int, user: User, path: str, body: object, level: Level) -> list[str]:
    """POST one turn, timing its first token and counting them; the other frames' JSON."""
    token = b'"assistant_message.content_part.text_delta"' if path == "/chatkit" else b'{"content"'
    start = time.perf_counter()
    first = True
    others: list[str] = []
    async for line in post_lines(port, path, body, user.headers):
        if token not in line:
            others.append(line.decode().removeprefix("data: "))
            continue
        if first:
            level.ttft.append(time.perf_counter() - start)
            first = False
        level.tokens += 1
    level.errors += [f[:200] for f in others if f.startswith('{"error"') or '"type":"error"' in f]
    return others


async def api_turn(port: int, user: User, message: str, level: Level) -> None:
    body: dict[str, object] = {"message": message}
    if user.conversation is not None:
        body["conversation_id"] = user.conversation
    for frame in await stream_turn(port, user, "/api/chat", body, level):
        if frame.startswith('{"conversation_id"'):
            user.conversation = json.loads(frame)["conversation_id"]
    user.asked.append(("api", message))


async def chatkit_turn(port: int, user: User, message: str, level: Level) -> None:
    text = {"content": [{"type": "input_text", "text": message}], "attachments": []}
    text["inference_options"] = {}
    request: dict[str, object] = (
        {"type": "threads.create", "params": {"input": text}}
        if user.thread is None
        else {
            "type": "threads.add_user_message",
            "params": {"thread_id": user.thread, "input": text},
        }
    )
    for frame in await stream_turn(port, user, "/chatkit", request, level):
        if '"type":"thread.created"' in frame:
            user.thread = json.loads(frame)["thread"]["id"]
    user.asked.append(("chatkit", message))


async def run_user(
    port: int, user: User, turns: int, tokens: int, chatkit: bool, level: Level, delay: float
) -> None:
    await asyncio.sleep(delay)
    for turn in range(turns):
        message = f"count to {tokens + turn}"
        try:
            await api_turn(port, user, message, level)
            if chatkit:
                await chatkit_turn(port, user, message, level)
        except OSError as exc:
            level.errors.append(f"{type(exc).__name__}: {exc}"[:200])


async def verify(client: httpx.AsyncClient, users: list[User]) -> list[str]:
    """Every user's conversations as the API shows them: each turn once, in order, whole."""
    problems: list[str] = []
    for user in users:
        threads = {"type": "threads.list", "params": {"limit": 100}}
        listing = await client.post("/chatkit", json=threads, headers=user.headers)
        seen = {thread["id"] for thread in listing.json()["data"]}
        mine = {one for one in (user.conversation, user.thread) if one is not None}
        if seen != mine:
            problems.append(f"{user.name} sees {len(seen)} threads, owns {len(mine)}")
        for protocol, thread_id in (("api", user.conversation), ("chatkit", user.thread)):
            if thread_id is None:
                continue
            params = {"thread_id": thread_id, "order": "asc", "limit": 100}
            reply = await client.post(
                "/chatkit", json={"type": "items.list", "params": params}, headers=user.headers
            )
            items = reply.json()["data"]
            if len({item["id"] for item in items}) != len(items):
                problems.append(f"{user.name}: an item twice in {thread_id}")
            said = [
                (item["type"], item["content"][0]["text"] if item["content"] else "")
                for item in items
                if item["type"] in ("user_message", "assistant_message")
            ]
            asked = [message for kind, message in user.asked if kind == protocol]
            expected = [
                pair
                for message in asked
                for pair in (
                    ("user_message", message),
                    ("assistant_message", counted(int(message.split()[-1]))),
                )
            ]
            if said != expected:
                problems.append(f"{user.name}: {protocol} thread: {len(said)} of {len(expected)}")
    # Another user's thread is not found, whatever its id.
    for user, other in zip(users, users[1:] + users[:1], strict=True):
        if other is user or other.thread is None:
            continue
        params = {"thread_id": other.thread, "order": "asc"}
        peek = await client.post(
            "/chatkit", json={"type": "items.list", "params": params}, headers=user.headers
        )
        if peek.status_code == 200 and peek.json().get("data"):
            problems.append(f"{user.name} reads {other.name}'s thread")
    return problems


async def load(
    port: int, process: psutil.Process, users: int, args: argparse.Namespace, chatkit: bool
) -> Level:
    level = Level()
    tag = os.urandom(3).hex()
    people = [
        User(f"u{tag}{n}", {"Authorization": f"Bearer {mint_token(f'u{tag}{n}', secret=SECRET)}"})
        for n in range(users)
    ]
    cpu, wall, own = cpu_seconds(process), time.perf_counter(), time.process_time()
    # Users arrive evenly over --ramp seconds (0: all at the same instant).
    tasks = [
        asyncio.ensure_future(
            run_user(port, p, args.turns, args.tokens, chatkit, level, n * args.ramp / users)
        )
        for n, p in enumerate(people)
    ]
    _, pending = await asyncio.wait(tasks, timeout=args.limit)
    for task in pending:
        task.cancel()
        level.errors.append("unfinished at the time limit")
    level.wall = time.perf_counter() - wall
    level.cpu = cpu_seconds(process) - cpu
    level.generator_cpu = time.process_time() - own
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        if chatkit:
            level.problems = await verify(client, people)
    return level


def report(name: str, users: int, level: Level) -> None:
    ttft = sorted(level.ttft) or [float("nan")]
    p99 = ttft[min(len(ttft) - 1, int(len(ttft) * 0.99))]
    per_token = 1e6 * level.cpu / level.tokens if level.tokens else float("nan")
    print(
        f"{name:<26} {users:>5} {1000 * statistics.median(ttft):>8.0f} {1000 * p99:>8.0f} "
        f"{level.tokens / level.wall:>9.0f} {len(level.errors):>6} {len(level.problems):>6} "
        f"{per_token:>9.0f} {level.cpu / level.wall:>6.2f} "
        f"{level.generator_cpu / level.wall:>6.2f}",
        flush=True,
    )
    for problem in (level.errors + level.problems)[:3]:
        print(f"    {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="10,50,100,200")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--turns", type=int, default=2, help="turns per user on each protocol")
    parser.add_argument("--rate", type=float, default=50.0, help="tokens a second per stream")
    parser.add_argument("--tokens", type=int, default=100, help="tokens of a user's first reply")
    parser.add_argument(
        "--ramp", type=float, default=0.0, help="seconds over which the users arrive"
    )
    parser.add_argument("--limit", type=float, default=300.0, help="seconds a level may take")
    args = parser.parse_args()
    env = {
        "BENCH_RATE": str(args.rate),
        "PYTHONPATH": f"{HERE / 'serve'}:{os.environ.get('PYTHONPATH', '')}",
        "CHATKIT_WIDGET_SECRET": SECRET,
        "OPENAI_AGENTS_DISABLE_TRACING": "1",
    }
    bin_dir = Path(sys.executable).parent
    print(
        f"{args.turns} turns per user per protocol, {args.tokens}+ tokens each at {args.rate:g}/s, "
        f"users arriving over {args.ramp:g} s; "
        "CPU per token and cores count every server process, gen the load generator; "
        f"{os.cpu_count()} cores"
    )
    print(
        f"{'server':<26} {'users':>5} {'ttft p50':>8} {'ttft p99':>8} {'tokens/s':>9} "
        f"{'errors':>6} {'lost':>6} {'cpu µs/t':>9} {'cores':>6} {'gen':>6}"
    )
    postgres = PostgresServer() if "postgres" in args.stores else None
    folder = Path(tempfile.mkdtemp(prefix="ckw-load-"))
    try:
        for workers in (int(n) for n in args.workers.split(",")):
            floor = [str(bin_dir / "uvicorn"), "bare_sse:app", "--no-access-log"]
            series(f"floor: bare SSE, {workers}w", floor, workers, env, args, chatkit=False)
            for kind in args.stores.split(","):
                store = (
                    postgres.new_database()
                    if kind == "postgres" and postgres is not None
                    else str(folder / f"load-{workers}.sqlite")
                )
                command = [str(bin_dir / "chatkit-widget"), "serve", "load_agent:agent"]
                command += ["--store", store]
                series(f"serve: {kind}, {workers}w", command, workers, env, args, chatkit=True)
    finally:
        if postgres is not None:
            postgres.remove()
        shutil.rmtree(folder, ignore_errors=True)


def warm_up(args: argparse.Namespace) -> argparse.Namespace:
    """A short run's settings: one turn per protocol, a few tokens."""
    return argparse.Namespace(**{**vars(args), "turns": 1, "tokens": 5})


def series(
    name: str,
    command: list[str],
    workers: int,
    env: dict[str, str],
    args: argparse.Namespace,
    chatkit: bool,
) -> None:
    """Start one server, and load it at each level of users in turn."""
    port = free_port()
    with server([*command, "--port", str(port), "--workers", str(workers)], env, port) as process:
        # Unmeasured: a deployed server is warm; the first turns pay imports and first queries.
        asyncio.run(load(port, process, 4 * workers, warm_up(args), chatkit))
        for users in (int(n) for n in args.users.split(",")):
            level = asyncio.run(load(port, process, users, args, chatkit))
            report(name, users, level)


if __name__ == "__main__":
    main()
