import asyncio, logging, threading, time
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse, JSONResponse
logging.basicConfig(level=logging.INFO, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
logger = logging.getLogger("fakeai.app")
app = FastAPI()

@app.middleware("http")
async def log_requests(request: Request, call_next):
    try:
        return await call_next(request)
    except Exception as e:
        logger.exception("Request %s failed: %s", "123-4567", str(e))
        return JSONResponse(status_code=500, content={"error": {"message": "An unexpected error occurred."}})

@app.get("/health")
async def health():
    return {"status": "healthy", "ready": True}

@app.get("/stream")
async def stream():
    async def gen():
        yield "data: one\n\n"
        await asyncio.sleep(0.01)
        raise ValueError("stream broke after the headers")
    return StreamingResponse(gen(), media_type="text/event-stream")

@app.get("/chained")
async def chained():
    try:
        {}["missing"]
    except KeyError:
        raise RuntimeError("while handling a missing key")

@app.get("/thread")
async def thread():
    def work():
        raise OSError("background worker failed")
    threading.Thread(target=work, name="metrics-sampler").start()
    return {"ok": True}

@app.get("/critical")
async def critical():
    logging.getLogger("fakeai.metrics_aggregator").critical("Aggregation loop stopped: state corrupted")
    logging.getLogger("fakeai.metrics_aggregator").error("Error in aggregation loop: division by zero")
    return {"ok": True}
