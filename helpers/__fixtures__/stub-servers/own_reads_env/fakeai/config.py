"""A candidate module that reads a server setting at import, as fakeai/app.py does: preloaded, every
server would see the launcher's value (none) instead of its own."""
import os

TIMEOUT = os.environ.get("FAKEAI_STUB_TIMEOUT", "30")
