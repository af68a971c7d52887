"""Forks a grandchild that ignores SIGTERM and outlives its parent, then serves normally.

Killing only the server's pid would leave the grandchild running: it shows that stopping the
whole process group matters. Both pids are logged so the tests can check they are gone.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

# The grandchild says "armed" only once SIGTERM is ignored, and the stub waits for it: a SIGTERM
# that arrived while the new interpreter was still starting would kill it, and the tests that
# expect it to need SIGKILL would pass or fail by chance.
GRANDCHILD = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "sys.stdout.write('armed\\n'); sys.stdout.flush(); sys.stdout.close()\n"
    "while True: time.sleep(3600)\n"
)
child = subprocess.Popen([sys.executable, "-c", GRANDCHILD], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
if child.stdout.readline().strip() != b"armed":
    sys.exit("stub survives_parent: the grandchild did not start")
child.stdout.close()
stubkit.log(f"stub survives_parent: server pid={os.getpid()} grandchild pid={child.pid}")
stubkit.serve()
