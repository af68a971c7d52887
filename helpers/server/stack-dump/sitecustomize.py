"""Loaded at interpreter start-up because the watchdog puts this folder first on the server's
PYTHONPATH: registers faulthandler on SIGUSR1, so the harness can ask a live server where every
thread is (the stacks go to stderr, which is the server log) without changing FakeAI.

faulthandler writes from its C signal handler, so the dump comes even when the event loop or the
GIL holder is stuck. Then this folder is taken off the path again and the sitecustomize it
shadowed (Debian ships one) is loaded, so the server starts as it would have without us.

A server forked by helpers/server/launcher.py calls register_stack_dump() again after pointing its
stderr at its own log: faulthandler keeps the fd it registered with.
"""
import faulthandler
import os
import signal
import sys


def register_stack_dump():
    faulthandler.register(signal.SIGUSR1, all_threads=True)


register_stack_dump()

_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
_rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.abspath(p) != _here]
if _rest:
    os.environ["PYTHONPATH"] = os.pathsep.join(_rest)
else:
    os.environ.pop("PYTHONPATH", None)

def _load_shadowed():
    import importlib.machinery
    import importlib.util

    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", sys.path)
    if spec is None or spec.loader is None:
        return
    # Under another name: "sitecustomize" is this module until site.py finishes importing it.
    renamed = importlib.util.spec_from_file_location("_shadowed_sitecustomize", spec.origin)
    module = importlib.util.module_from_spec(renamed)
    renamed.loader.exec_module(module)


_load_shadowed()
