"""Healthy, but its package imports a library that starts a thread: preload must refuse it."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

stubkit.serve()
