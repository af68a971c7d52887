"""Stands for fakeai/__init__.py and the fakeai/app.py it imports, whose AppConfig() reads this
server's FAKEAI_* settings when the package runs: that must happen in the server, never earlier."""
import os

import stub_rng  # noqa: F401 - imported the way FakeAI imports its libraries: the probe lists it

from fakeai import config  # noqa: F401 - a candidate the launcher may preload

__version__ = "0.0.4-stub"
INIT_PID = os.getpid()
INIT_MARK = os.environ.get("FAKEAI_STUB_MARK")
