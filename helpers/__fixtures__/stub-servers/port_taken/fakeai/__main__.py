"""Behaves like FakeAI when its port is taken: prints its ready lines, then the bind error, exit 1.

A harness that took a log line for readiness would call this server ready.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

args = stubkit.parse_args()
stubkit.log("INFO:     Application startup complete.")
stubkit.log(f"INFO:     Uvicorn running on http://{args.host}:{args.port} (Press CTRL+C to quit)")
time.sleep(0.2)  # the real server takes a moment between these lines and the bind failure
stubkit.log(f"ERROR:    [Errno 98] error while attempting to bind on address ('{args.host}', {args.port}): address already in use")
sys.exit(1)
