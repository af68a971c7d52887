"""Answers a request, THEN logs an exception a few ms later, the way a server that keeps working
after it replied does. The log watcher must pin it on the test that sent the request.

GET /boom?tag=T&delay_ms=3&style=record|thread|lines
  200 {"ok": true} first; after delay_ms, a real traceback whose message ends with the tag:
  record  FakeAI's `… - fakeai.app - ERROR - Request … failed: …` + traceback, one write (default)
  thread  `Exception in thread …` + traceback, written by a dying thread (line by line, as CPython does)
  lines   the record style written line by line, 1 ms apart (a reader can catch it half-written)
"""
import datetime
import os
import sys
import threading
import time
import traceback
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402


def asctime():
    now = datetime.datetime.now()
    return now.strftime("%Y-%m-%d %H:%M:%S,") + f"{now.microsecond // 1000:03d}"


def handle_chat(tag):
    raise KeyError(f"boom {tag}")


def formatted(tag):
    try:
        try:
            handle_chat(tag)
        except KeyError as e:
            raise RuntimeError(f"request failed: boom {tag}") from e
    except RuntimeError:
        return traceback.format_exc()


def emit(tag, style):
    if style == "thread":
        def dying():
            handle_chat(tag)
        threading.Thread(target=dying, name=f"stub-worker-{tag}").start()
        return
    record = f"{asctime()} - fakeai.app - ERROR - Request 1-{tag} failed: boom {tag}\n{formatted(tag)}"
    if style == "lines":
        for line in record.splitlines(keepends=True):
            sys.stderr.write(line)
            sys.stderr.flush()
            time.sleep(0.001)
    else:
        sys.stderr.write(record)
        sys.stderr.flush()


class Handler(stubkit.Handler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/boom":
            return super().do_GET()
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        tag = q.get("tag", "untagged")
        self.send_json(200, {"ok": True, "tag": tag})
        self.wfile.flush()
        threading.Timer(int(q.get("delay_ms", "3")) / 1000.0, emit, args=(tag, q.get("style", "record"))).start()

    do_POST = do_GET


stubkit.serve(Handler)
