"""Prints lines that merely contain "error" — at start-up and on every request — and never an
exception. The lines are helpers/__fixtures__/attribution/logs/harmless-lines.log: FakeAI's metrics
block with `Errors/sec`, INFO records about errors, JSON error bodies, an import-time UserWarning.
A run against this stub must pass: any failure is a false alarm of the log watcher.
"""
import os
import sys
from urllib.parse import urlparse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

HERE = os.path.dirname(__file__)
LINES = os.path.join(HERE, "..", "..", "..", "attribution", "logs", "harmless-lines.log")


def print_harmless():
    with open(LINES, encoding="utf-8") as f:
        sys.stderr.write(f.read())
    sys.stderr.flush()


class Handler(stubkit.Handler):
    def do_GET(self):
        if urlparse(self.path).path == "/harmless":
            print_harmless()
            return self.send_json(200, {"error": None, "errors": 0, "error_rate": 0.0})
        return super().do_GET()

    do_POST = do_GET


print_harmless()
stubkit.serve(Handler)
