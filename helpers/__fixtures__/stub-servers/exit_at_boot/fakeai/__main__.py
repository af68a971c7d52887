"""Exits at boot with code 3 after one line, like a server whose configuration is broken.

With STUB_EXIT_IF_ENV=NAME it exits only when the variable NAME is set, and otherwise serves like
the healthy stub: one profile fails while another starts, which shows the started one is stopped.
"""
import os
import sys

condition = os.environ.get("STUB_EXIT_IF_ENV")
if condition and condition not in os.environ:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
    import stubkit  # noqa: E402

    stubkit.serve()
else:
    sys.stderr.write("stub exit_at_boot: configuration is broken, giving up\n")
    sys.stderr.flush()
    sys.exit(3)
