"""The floor of the load benchmark: a bare FastAPI endpoint streaming the same tokens.

It answers ``POST /api/chat`` ``{"message": "count to N"}`` with the frames ``serve`` sends (a
``conversation_id``, one ``content`` frame per token at ``BENCH_RATE`` tokens a second,
``[DONE]``), with no agent, no ChatKit server and no store: what streaming alone costs.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

DELAY = 1 / float(os.environ.get("BENCH_RATE", "50"))
app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/chat")
async def chat(request: Request) -> StreamingResponse:
    body = await request.json()
    count = int(str(body["message"]).split()[-1])

    async def frames() -> AsyncIterator[str]:
        yield f"data: {json.dumps({'conversation_id': f'thr_{uuid.uuid4().hex[:20]}'})}\n\n"
        for n in range(1, count + 1):
            await asyncio.sleep(DELAY)
            yield f"data: {json.dumps({'content': str(n) if n == 1 else f' {n}'})}\n\n"
        yield "data: [DONE]\n\n"

    return StreamingResponse(frames(), media_type="text/event-stream")
