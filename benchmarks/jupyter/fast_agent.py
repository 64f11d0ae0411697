"""The agent the loop-lag benchmark serves: the demo on the offline model at a set token rate."""

from __future__ import annotations

import os

from chatkit_widget import OfflineDemoModel
from chatkit_widget.demo import demo_agent

agent = demo_agent(model=OfflineDemoModel(delay=1 / float(os.environ.get("BENCH_RATE", "100"))))
