"""A well-behaved stub: ready at once, stops on SIGTERM."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

stubkit.serve()
