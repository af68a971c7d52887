"""An asyncio server (like uvicorn's) whose event loop a request can block.

GET /health       ready
GET /stall?ms=N   blocks the event loop for N ms, then answers: a stall the server recovers from
GET /block        blocks the event loop for STUB_BLOCK_S seconds (default 600): a hang
Each block logs "stub hangs_mid_run: blocking the event loop at <epoch ms>" first.
"""
import asyncio
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

BLOCK_S = float(os.environ.get("STUB_BLOCK_S", "600"))


def block_event_loop(seconds):
    stubkit.log(f"stub hangs_mid_run: blocking the event loop at {int(time.time() * 1000)}")
    time.sleep(seconds)  # THE BLOCKING CALL: the hang self-test expects this line in the stack dump


async def handle(reader, writer):
    try:
        request = await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass
        target = request.split(b" ")[1].decode() if b" " in request else "/"
        path, _, query = target.partition("?")
        if path == "/health":
            status, body = 200, {"status": "healthy", "ready": True}
        elif path == "/stall":
            ms = int(dict(p.split("=") for p in query.split("&") if "=" in p).get("ms", "1000"))
            block_event_loop(ms / 1000.0)
            status, body = 200, {"stalled_ms": ms}
        elif path == "/block":
            block_event_loop(BLOCK_S)
            status, body = 200, {"blocked_s": BLOCK_S}
        else:
            status, body = 404, {"detail": "Not Found"}
        data = json.dumps(body).encode()
        writer.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (status, len(data)) + data)
        await writer.drain()
    finally:
        writer.close()


async def main():
    args = stubkit.parse_args()
    server = await asyncio.start_server(handle, args.host, args.port)
    print("FakeAI - OpenAI Compatible API Server (stub)", flush=True)
    stubkit.log(f"INFO:     Uvicorn running on http://{args.host}:{args.port} (Press CTRL+C to quit)")
    async with server:
        await server.serve_forever()


asyncio.run(main())
