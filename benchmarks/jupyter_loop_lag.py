"""How much a streamed sidebar turn delays the Jupyter server's event loop.

Starts a real ``jupyter server`` with the chatkit-widget extension and a probe extension
(``benchmarks/jupyter/lag_probe.py``: a coroutine that wakes every 5 ms and records how late),
then measures the loop's lateness while the first request builds the agent, while idle (the
floor) and during the first streamed turn of
``--words`` tokens at ``--rate`` tokens/s read over HTTP, and prints p50 / p99 / max for both.
The target: p99 under 10 ms while streaming.

    python benchmarks/jupyter_loop_lag.py [--words 2000] [--rate 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.lab import Lab  # noqa: E402


def percentiles(delays: list[float]) -> str:
    ms = sorted(d * 1000 for d in delays)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (
        f"p50 {statistics.median(ms):6.2f} ms   p99 {p99:6.2f} ms   max {ms[-1]:6.2f} ms"
        f"   ({len(ms)} wake-ups)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100.0)
    args = parser.parse_args()
    lab = Lab(
        Path(tempfile.mkdtemp()),
        app="server",
        args=[
            "--ServerApp.jpserver_extensions=chatkit_widget.jupyter=True",
            "--ServerApp.jpserver_extensions=lag_probe=True",
            "--ChatKitWidget.agent=fast_agent:agent",
        ],
    )
    probe_dir = str(Path(__file__).parent / "jupyter")
    lab.env["PYTHONPATH"] = probe_dir + ":" + lab.env.get("PYTHONPATH", "")
    lab.env["BENCH_RATE"] = str(args.rate)
    lab.start()
    try:
        client = httpx.Client(
            base_url=lab.url, headers={"Authorization": f"token {lab.token}"}, timeout=120
        )
        client.get("/lag-probe")
        client.get("/chatkit-widget/info").raise_for_status()  # the first request builds it all
        building = client.get("/lag-probe").json()
        seconds = args.words / args.rate
        time.sleep(seconds)
        idle = client.get("/lag-probe").json()
        request = {
            "type": "threads.create",
            "params": {
                "input": {
                    "content": [{"type": "input_text", "text": f"count to {args.words}"}],
                    "attachments": [],
                    "inference_options": {},
                }
            },
        }
        frames = 0
        start = time.perf_counter()
        with client.stream("POST", "/chatkit-widget/chatkit", json=request) as answer:
            for line in answer.iter_lines():
                frames += line.startswith("data: ")
        took = time.perf_counter() - start
        streaming = client.get("/lag-probe").json()
        print(f"{args.words} tokens at {args.rate:g}/s: {frames} SSE frames in {took:.1f} s")
        print(f"building  {percentiles(building)}")
        print(f"idle      {percentiles(idle)}")
        print(f"streaming {percentiles(streaming)}")
        print(json.dumps({"idle_p99_ms": round(sorted(idle)[int(len(idle) * 0.99)] * 1000, 2)}))
    finally:
        lab.stop()


if __name__ == "__main__":
    main()
