"""A FastAPI app on the venv's uvicorn whose stream fails AFTER it sent `data: [DONE]`.

Used only by measure-log-lag.ts: the client has everything it wants, stops reading, and the
traceback is still to come. That is the worst case for reading a test's log range too early
(FakeAI's own 500s and mid-stream errors are logged before the client sees the response end).
"""
import asyncio

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

app = FastAPI()


@app.get("/health")
async def health():
    return {"status": "healthy", "ready": True}


@app.get("/stream")
async def stream():
    async def gen():
        yield "data: {}\n\n"
        yield "data: [DONE]\n\n"
        await asyncio.sleep(0)
        raise RuntimeError("cleanup after [DONE] failed")

    return StreamingResponse(gen(), media_type="text/event-stream")
