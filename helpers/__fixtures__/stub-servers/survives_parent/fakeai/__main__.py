"""Forks a grandchild that ignores SIGTERM and outlives its parent, then serves normally.

Killing only the server's pid would leave the grandchild running: it shows that stopping the
whole process group matters. Both pids are logged so the tests can check they are gone.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

GRANDCHILD = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "while True: time.sleep(3600)\n"
)
child = subprocess.Popen([sys.executable, "-c", GRANDCHILD], stdin=subprocess.DEVNULL)
stubkit.log(f"stub survives_parent: server pid={os.getpid()} grandchild pid={child.pid}")
stubkit.serve()
