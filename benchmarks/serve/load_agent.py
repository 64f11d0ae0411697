"""The agent the load benchmark serves: the offline model at ``BENCH_RATE`` tokens a second."""

from __future__ import annotations

import os

from agents import Agent

from chatkit_widget import OfflineDemoModel

agent = Agent(
    name="Load benchmark agent",
    instructions="Count.",
    model=OfflineDemoModel(delay=1 / float(os.environ.get("BENCH_RATE", "50"))),
)
