"""Healthy; its fakeai.models needs a name fakeai/__init__.py defines, so it cannot be imported before the package runs."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

stubkit.serve()
