"""Healthy; its fakeai.models imports fakeai.app (settings read at import): the launcher must not preload it."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

stubkit.serve()
