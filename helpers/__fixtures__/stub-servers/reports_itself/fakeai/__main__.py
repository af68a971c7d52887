"""Ready at once; first logs, as one JSON line prefixed "stub reports_itself:", what it was started
with: argv, sys.path[0], cwd, its FAKEAI_* variables, PYTHONPATH, whether it leads its own process
group and session, what its stdin is, its SIGTERM disposition, whether its preloaded module came from another
process, and one draw of that module's generator; the same for fakeai.config (FakeAI's own module
the launcher may preload), and what the package saw when it ran (fakeai/__init__.py)."""
import json
import os
import signal
import sys
import warnings

import fakeai
import fakeai.config
import stub_rng

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import stubkit  # noqa: E402

facts = {
    "argv": sys.argv,
    "path0": sys.path[1],  # [0] is stubkit's folder, inserted above
    "cwd": os.getcwd(),
    "fakeaiEnv": {k: v for k, v in os.environ.items() if k.startswith("FAKEAI_")},
    "pythonpath": os.environ.get("PYTHONPATH"),
    "ownGroup": os.getpgid(0) == os.getpid(),
    "ownSession": os.getsid(0) == os.getpid(),
    "stdin": os.readlink("/proc/self/fd/0"),
    "sigtermDefault": signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
    "preloaded": stub_rng.IMPORTED_BY != os.getpid(),
    "draw": stub_rng.RNG.random(),
    "ownPreloaded": fakeai.config.IMPORTED_BY != os.getpid(),
    "ownDraw": fakeai.config.RNG.random(),
    "initPid": fakeai.INIT_PID == os.getpid(),
    "initMark": fakeai.INIT_MARK,
    "version": fakeai.__version__,
    "sameConfig": fakeai.config is sys.modules["fakeai.config"],
    "filterKept": any(f[1] is not None and f[1].pattern == "stub reports_itself filter" for f in warnings.filters),
}
stubkit.log("stub reports_itself: " + json.dumps(facts))
stubkit.serve()
