"""Listens, but /health says ready: false forever (status 200, so only a body check notices)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402


class NeverReady(stubkit.Handler):
    ready = False


stubkit.serve(NeverReady)
