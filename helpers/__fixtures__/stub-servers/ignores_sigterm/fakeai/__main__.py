"""Ready at once, but ignores SIGTERM: only SIGKILL stops it (a hung server)."""
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

signal.signal(signal.SIGTERM, signal.SIG_IGN)
stubkit.log("stub ignores_sigterm: SIGTERM is ignored")
stubkit.serve()
