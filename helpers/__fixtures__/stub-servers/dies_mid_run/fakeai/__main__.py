"""Ready at once, then dies: on GET /die, or STUB_DIE_AFTER_MS after it starts serving.

Exit code: STUB_EXIT_CODE (default 7).
"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

CODE = int(os.environ.get("STUB_EXIT_CODE", "7"))


def die(reason):
    stubkit.log(f"stub dies_mid_run: dying ({reason}) with code {CODE}")
    os._exit(CODE)


def on_die(handler):
    handler.send_json(200, {"dying": True})
    handler.wfile.flush()
    die("GET /die")


class Dies(stubkit.Handler):
    routes = {"/die": on_die}


after_ms = os.environ.get("STUB_DIE_AFTER_MS")
if after_ms:
    threading.Timer(int(after_ms) / 1000.0, die, args=(f"{after_ms} ms after start",)).start()
stubkit.serve(Dies)
