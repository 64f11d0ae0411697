"""What a streamed reply costs the kernel: comm messages, bytes, and CPU per token.

Streams a long reply from the offline model at a real token rate through the widget's bridge
(the same path a UI turn takes), once with delta coalescing and once without, and prints the
number of comm messages, their JSON size, and the kernel CPU time per token (the agent run,
the ChatKit server and the bridge; not ipykernel's own cost of sending each message, ~0.4-0.5 ms
per IOPub message, which is what coalescing saves). Also prints the bridge's per-delta cost
near the start and near the end of the reply, which must not grow.

    python benchmarks/streaming_cost.py [--words 2000] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from agents import set_tracing_disabled

from chatkit_widget import ChatWidget, OfflineDemoModel, _bridge
from chatkit_widget._chatkit_json import StreamEvent
from chatkit_widget._protocol import to_comm
from chatkit_widget.demo import demo_agent


async def run(words: int, rate: float, interval: float) -> dict[str, Any]:
    """Stream one reply of ``words`` tokens; return what it cost."""
    chat = ChatWidget(agent=demo_agent(model=OfflineDemoModel(delay=1 / rate)), store=":memory:")
    chat._bridge.flush_interval = interval
    sent: list[str] = []
    chat._bridge._send = lambda msg: sent.append(json.dumps(to_comm(msg)))
    timings: list[float] = []
    original = _bridge.DeltaCoalescer.add

    def timed_add(self: Any, event: StreamEvent) -> None:
        start = time.perf_counter_ns()
        original(self, event)
        timings.append((time.perf_counter_ns() - start) / 1000)

    _bridge.DeltaCoalescer.add = timed_add  # type: ignore[method-assign]
    cpu = time.process_time()
    wall = time.perf_counter()
    await chat.ask(f"count to {words}")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    _bridge.DeltaCoalescer.add = original  # type: ignore[method-assign]
    events = [m for m in sent if '"kind": "event"' in m or '"kind": "text"' in m]
    tenth = max(1, len(timings) // 10)
    return {
        "messages": len(events),
        "bytes": sum(len(m) for m in events),
        "cpu_ms_per_token": 1000 * cpu / words,
        "wall_s": wall,
        "add_us_first_10pct": sorted(timings[:tenth])[tenth // 2],
        "add_us_last_10pct": sorted(timings[-tenth:])[tenth // 2],
    }


def main() -> None:
    """Run the benchmark with and without coalescing and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100.0, help="tokens per second")
    args = parser.parse_args()
    set_tracing_disabled(True)
    asyncio.run(run(100, args.rate, 0.016))  # warm-up: imports, schemas, first-run caches
    print(f"{args.words} tokens at {args.rate:g} tokens/s")
    for label, interval in (("coalesced (16 ms)", 0.016), ("one message per delta", 0.0)):
        r = asyncio.run(run(args.words, args.rate, interval))
        print(
            f"  {label:24} {r['messages']:6d} event messages, {r['bytes'] / 1024:8.1f} KiB, "
            f"{r['cpu_ms_per_token']:.3f} ms kernel CPU per token, wall {r['wall_s']:.1f} s; "
            f"median add(): {r['add_us_first_10pct']:.1f} us first 10%, "
            f"{r['add_us_last_10pct']:.1f} us last 10%"
        )


if __name__ == "__main__":
    main()
