"""Pre-importing launcher: imports FakeAI's third-party modules (and its own env-independent ones) once, then forks one server per request.

Usage: python launcher.py GRACE_MS CACHE_DIR

A FakeAI boot is mostly Python imports (~0.65 s of its ~0.95 s of CPU: fastapi, pydantic,
cyclopts, uvicorn, numpy, faker, ...). A run starts up to 8 servers at once on 2 cores, each paying
those imports again. This process pays them once and forks; each child then runs exactly what
`python -m fakeai server ...` runs, from the same interpreter state minus the imports.

fakeai/__init__.py never runs here: it imports fakeai/app.py, which builds its AppConfig from the
FAKEAI_* environment at import time, and every server has its own. What to preload comes from a
probe (a throwaway interpreter imports fakeai and lists every other module that import loaded),
cached in CACHE_DIR per interpreter, fakeai location and version, and site-packages change.

FakeAI's own env-independent modules (OWN_CANDIDATES: its pydantic models, config classes, utils;
~0.12 s of each server's ~0.23 s of own imports) are preloaded too, under the real `fakeai` package
object created from its spec but not executed; each child executes fakeai/__init__.py into that
same object before runpy, from its own environment, exactly as the import would have. A second
probe decides per build whether that is safe (own_probe_verdict): the candidates, imported under
the unexecuted package, must not read a FAKEAI_* variable (or the whole environment), start a
thread, import any other fakeai module, write output, or fail. Any of these, and no fakeai module
is preloaded at all, with the reason on the `own` status line.

Protocol. stdin: one JSON object per line, {"name", "argv", "env", "cwd", "log"}, a server to
start; EOF means the runner is gone (however it died), and every server's process group gets
SIGTERM, GRACE_MS, SIGKILL, as helpers/server/watchdog.py does for one. fd 3, status lines:
  facts JSON            once: {"found", "version", "pil"} (the per-server preflight, asked once)
  own N PACKAGES        FakeAI's own PACKAGES (comma-separated; N modules) are preloaded, or
  own - REASON          none is, and why (before `ready`)
  ready N SOURCE        the preload is done (N third-party modules, SOURCE cached|probed);
                        requests are served from now on
  unusable REASON       the preload cannot be trusted (a thread started, fakeai got imported, the
                        probe failed): this process exits, and the runner spawns plainly instead
  pid NAME N            NAME's server has pid N (its own process group)
  exit NAME CODE SIGNAL NAME's server exited ("-" for the part that does not apply)

Single-threaded on purpose: a thread does not survive fork, and one would make every child a
copy of a process whose locks may be held by a thread that no longer exists.
Standard library only, like watchdog.py: it must start under any interpreter the suite is given.
"""
import atexit
import contextlib
import hashlib
import json
import os
import random
import runpy
import selectors
import signal
import subprocess
import sys
import threading
import time
import types
import warnings

# Set by main() after the preload, read by the forked child: the unexecuted fakeai package (or
# None) and the warnings the preload's imports raised.
PRELOADED = {"package": None, "warnings": []}
HERE = os.path.dirname(os.path.abspath(__file__))
STACK_DUMP_DIR = os.path.join(HERE, "stack-dump")
# Bump when the probe or the cache format changes: old cache files are then never read.
CACHE_FORMAT = "2"

# FakeAI's packages that may be preloaded when a build's probe clears them; all or none of them is.
# Never fakeai.app (its AppConfig() at import), nor what holds singletons or threads (fakeai.metrics).
OWN_CANDIDATES = ("fakeai.config", "fakeai.models", "fakeai.utils", "fakeai.models_registry")

PROBE = r"""
import os, sys
before = set(sys.modules)
import fakeai
mods = [m for m in sys.modules if m not in before and m != 'fakeai' and not m.startswith('fakeai.')]
os.write(1, ('\n'.join('MOD ' + m for m in mods) + '\nEND\n').encode())
# fakeai starts threads at import; they must not hold this throwaway interpreter open.
os._exit(0)
"""


# The second probe, fed {"modules": the third-party list, "candidates": OWN_CANDIDATES} on stdin:
# imports the third-party modules as the launcher does, then the candidates under the unexecuted
# package while recording what their imports do. It reports facts; own_probe_verdict judges them.
OWN_PROBE = r"""
import importlib, importlib.util, io, json, os, sys, threading, warnings
req = json.loads(sys.stdin.read())
for m in req["modules"]:
    try:
        importlib.import_module(m)
    except BaseException:
        pass
def done(result):
    os.write(1, (json.dumps(result) + "\nEND\n").encode())
    os._exit(0)
if any(m == "fakeai" or m.startswith("fakeai.") for m in sys.modules):
    done({"before": sorted(m for m in sys.modules if m == "fakeai" or m.startswith("fakeai."))})
current = [None]
reads, threads, errors, present = [], [], [], []
class RecordingEnviron(type(os.environ)):
    def __getitem__(self, key):
        reads.append([current[0], key])
        return super().__getitem__(key)
    def __iter__(self):
        reads.append([current[0], "*"])
        return super().__iter__()
    def __len__(self):
        reads.append([current[0], "*"])
        return super().__len__()
    def copy(self):
        reads.append([current[0], "*"])
        return super().copy()
real_start = threading.Thread.start
def recording_start(self, *a, **k):
    threads.append([current[0], self.name])
    return real_start(self, *a, **k)
spec = importlib.util.find_spec("fakeai")
sys.modules["fakeai"] = importlib.util.module_from_spec(spec)
real_environ, real_out, real_err = os.environ, sys.stdout, sys.stderr
output = io.StringIO()
e = real_environ
os.environ = RecordingEnviron(e._data, e.encodekey, e.decodekey, e.encodevalue, e.decodevalue)
threading.Thread.start = recording_start
sys.stdout = sys.stderr = output
try:
    # Warnings are not output here: the launcher replays them in each server, as its import would.
    with warnings.catch_warnings(record=True):
        for name in req["candidates"]:
            current[0] = name
            try:
                importlib.import_module(name)
                present.append(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    errors.append([name, f"{type(exc).__name__}: {exc}"])
            except BaseException as exc:
                errors.append([name, f"{type(exc).__name__}: {exc}"])
finally:
    os.environ, sys.stdout, sys.stderr = real_environ, real_out, real_err
    threading.Thread.start = real_start
done({
    "present": present,
    "modules": [m for m in sys.modules if m.startswith("fakeai.")],
    "reads": reads,
    "threads": threads,
    "alive": [t.name for t in threading.enumerate() if t is not threading.main_thread()],
    "errors": errors,
    "output": output.getvalue()[:300],
})
"""


def status(line):
    try:
        os.write(3, f"{line}\n".encode())
    except OSError:
        pass


def interpreter_facts():
    """What the per-server preflight in fakeai-server.ts asked: is fakeai there, which, with PIL?"""
    import importlib.util as u

    spec = u.find_spec("fakeai")
    out = {"found": spec is not None, "version": None, "pil": True, "origin": spec.origin if spec else None}
    if spec is not None:
        try:
            from importlib.metadata import distribution

            d = distribution("fakeai")
            # A stub package earlier on sys.path shadows the installed one: a version only for the real thing.
            if str(d.locate_file("fakeai/__init__.py")) == spec.origin:
                out["version"] = d.version
                out["pil"] = u.find_spec("PIL") is not None
        except Exception:
            pass
    return out


def cache_key(facts):
    origin = facts["origin"] or ""
    package_dir = os.path.dirname(origin)
    # pip adds and removes *.dist-info folders beside the packages: the folder's mtime moves then.
    try:
        site_mtime = os.stat(os.path.dirname(package_dir)).st_mtime_ns
    except OSError:
        site_mtime = 0
    try:
        pkg_mtime = os.stat(package_dir).st_mtime_ns
    except OSError:
        pkg_mtime = 0
    parts = [CACHE_FORMAT, os.path.realpath(sys.executable), sys.version, origin, str(facts["version"]), str(site_mtime), str(pkg_mtime), os.environ.get("PYTHONPATH", ""), own_fingerprint(package_dir)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def own_fingerprint(package_dir):
    """Every candidate source file's name, size and mtime: editing one in a source checkout (its
    folder's mtime does not move) must not reuse the verdict on the old code. All the fakeai code
    the preload runs is in these files: importing any other fakeai module fails the verdict."""
    entries = []
    for candidate in OWN_CANDIDATES:
        base = os.path.join(package_dir, *candidate.split(".")[1:])
        for root, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            entries += [os.path.join(root, f) for f in sorted(files) if f.endswith(".py")]
        entries.append(base + ".py")
    out = []
    for path in entries:
        try:
            st = os.stat(path)
        except OSError:
            continue
        out.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(out)


def probe_modules():
    r = subprocess.run([sys.executable, "-c", PROBE], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    lines = r.stdout.decode("utf-8", "replace").splitlines()
    if "END" not in lines:
        tail = r.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {r.returncode}"]
        raise RuntimeError(f"the probe (import fakeai) failed: {tail[0][:300]}")
    return [l[4:] for l in lines if l.startswith("MOD ")]


def differs_between_servers(key):
    """A variable whose value a preloaded module could see differ from its server's: the launcher's
    environment is the servers' outside FAKEAI_* (launcher.ts launcherKey), but for PYTHONPATH."""
    return key == "*" or key.upper().startswith("FAKEAI_") or key == "PYTHONPATH"


def own_probe_verdict(found):
    """(modules to preload, None) when the candidates' imports passed every check, else ([], reason)."""
    if "before" in found:
        return [], f"a third-party module imports {found['before'][0]} before FakeAI's own modules could be preloaded"
    problems = [f"importing {name} failed ({error[:200]})" for name, error in found["errors"]]
    for name, key in found["reads"]:
        if differs_between_servers(key):
            problems.append(f"{name} read {'the whole environment' if key == '*' else key} at import")
    problems += [f"{name} started a thread ({thread}) at import" for name, thread in found["threads"]]
    if found["alive"] and not found["threads"]:
        problems.append(f"a thread is running after the imports ({', '.join(found['alive'])})")
    present = found["present"]
    outside = [m for m in found["modules"] if not any(m == c or m.startswith(c + ".") for c in present)]
    if outside:
        problems.append(f"importing {', '.join(present)} imported {', '.join(outside)}, outside the candidates")
    if found["output"]:
        problems.append(f"importing {', '.join(present)} wrote output: {found['output'].strip()[:100]!r}")
    if not present and not problems:
        problems.append(f"this build has none of {', '.join(OWN_CANDIDATES)}")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return [], problems[0] + more
    return found["modules"], None


def probe_own(modules):
    """Which of FakeAI's own modules this build lets the launcher preload: {"candidates", "modules", "reason"}."""
    request = json.dumps({"modules": modules, "candidates": list(OWN_CANDIDATES)}).encode()
    r = subprocess.run([sys.executable, "-c", OWN_PROBE], input=request, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    out = r.stdout.decode("utf-8", "replace")
    if not out.endswith("\nEND\n"):
        tail = r.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {r.returncode}"]
        return {"candidates": [], "modules": [], "reason": f"the probe of FakeAI's own modules failed: {tail[0][:300]}"}
    found = json.loads(out[: -len("\nEND\n")])
    own, reason = own_probe_verdict(found)
    return {"candidates": found.get("present", []) if own else [], "modules": own, "reason": reason}


def preload_list(facts, cache_dir):
    """The probes' module lists (third-party, and FakeAI's own), from the cache when this build was probed before."""
    path = os.path.join(cache_dir, f"preload-{cache_key(facts)}.json")
    try:
        with open(path) as f:
            cached = json.load(f)
        return cached["modules"], cached["own"], "cached"
    except (OSError, ValueError, KeyError):
        pass
    modules = probe_modules()
    own = probe_own(modules)
    try:
        os.makedirs(cache_dir, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            json.dump({"python": sys.executable, "fakeai": facts["origin"], "version": facts["version"], "modules": modules, "own": own}, f)
        os.replace(tmp, path)  # atomic: a concurrent run reads the old file or the whole new one
    except OSError:
        pass  # no cache: the next run probes again
    return modules, own, "probed"


def preload(modules):
    import importlib

    loaded = 0
    for name in modules:
        try:
            importlib.import_module(name)
            loaded += 1
        except BaseException:  # noqa: B036 - an optional backend that fails here fails the same way in the server
            pass
    return loaded


def preload_own(own):
    """FakeAI's verified modules, under its package created from the spec but not executed: the
    package object each child finishes (finish_package), or None when there is nothing to preload."""
    import importlib
    import importlib.util

    if not own["candidates"] or "fakeai" in sys.modules:
        return None  # a third-party module already imported fakeai: why_unsafe_to_fork says so
    spec = importlib.util.find_spec("fakeai")
    package = importlib.util.module_from_spec(spec)
    sys.modules["fakeai"] = package
    for name in own["candidates"]:
        importlib.import_module(name)  # raises into main(): cleared by the probe, it must not fail here
    return package


def why_unsafe_to_fork(package, own_modules):
    """A reason the preloaded state must not be forked, or None. FakeAI's own modules may be there
    only under the unexecuted `package`, and only those the probe cleared: never fakeai.app."""
    if threading.active_count() != 1:
        names = ", ".join(t.name for t in threading.enumerate() if t is not threading.main_thread())
        return f"a preloaded module started a thread ({names}); a thread does not survive fork"
    cleared = set(own_modules) - {"fakeai.app"} if package is not None else set()
    leaked = sorted(
        m for m in sys.modules
        if (m == "fakeai" and sys.modules[m] is not package) or (m.startswith("fakeai.") and m not in cleared)
    )
    if leaked:
        return f"a preloaded module imported {leaked[0]}, which reads its FAKEAI_* settings at import"
    return None


def finish_package(package):
    """In the child: run fakeai/__init__.py into the preloaded package, as the import system would
    have on `import fakeai` (from this server's environment); runpy then finds it imported."""
    spec = package.__spec__
    spec._initializing = True
    try:
        spec.loader.exec_module(package)
    finally:
        spec._initializing = False


@contextlib.contextmanager
def recording_warnings(caught):
    """Warnings shown during the preload are recorded, not printed: each server replays them on its
    own stderr (replay_warnings). Only the display is swapped, not warnings.catch_warnings: that
    would also undo the filters the imports install (numpy adds four), which a server keeps."""
    real = warnings.showwarning

    def record(message, category, filename, lineno, file=None, line=None):
        caught.append((message, category, filename, lineno, file, line))

    warnings.showwarning = record
    try:
        yield
    finally:
        if warnings.showwarning is record:  # a module that installed its own display keeps it
            warnings.showwarning = real


def replay_warnings(caught):
    """What the preload's imports warned (FakeAI's models do) goes where the server's imports
    would have written it: its own stderr, first."""
    for args in caught:
        try:
            warnings.showwarning(*args)
        except Exception:
            pass


def reseed_random_generators():
    """A forked child starts with its parent's generator states; a spawned server draws fresh ones."""
    seen = set()
    for module in list(sys.modules.values()):
        try:
            values = list(vars(module).values())
        except TypeError:
            continue
        for v in values:
            # random reseeds its own global at fork; instances such as faker's do not.
            if isinstance(v, random.Random) and id(v) not in seen:
                seen.add(id(v))
                v.seed()
    mtrand = sys.modules.get("numpy.random.mtrand")
    if mtrand is not None and hasattr(mtrand, "_rand"):
        mtrand._rand.seed()  # numpy's global RandomState: no seed argument means fresh OS entropy


def exit_code_of(e):
    """What the interpreter would exit with for SystemExit(e.code)."""
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code
    try:
        sys.stderr.write(f"{e.code}\n")
    except Exception:
        pass
    return 1


class BecomeServer(BaseException):
    """Raised in a forked child to unwind the launcher's frames back to module level, where the
    server is run: a hung server's stack dump (helpers/server/hang-watch.ts) then shows one
    launcher frame below runpy, where a spawned server shows none, not the whole select loop."""

    def __init__(self, request, close_fds):
        super().__init__()
        self.request = request
        self.close_fds = close_fds


def prepare_server(request, close_fds):
    """In the forked child: everything `python -m fakeai server ...` would find at start-up."""
    # A session of its own, hence a group of its own (the runner stops it, and what it forks, by
    # the group) and, where the kernel groups scheduling by session (autogroup), its own share of
    # the CPU, as each watchdog-spawned server has. Forked servers sharing the launcher's session
    # booted ~30 % slower in wall time on a loaded machine, though they used ~40 % less CPU.
    os.setsid()
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    for fd in set(close_fds) | {log, devnull, 3}:
        try:
            os.close(fd)
        except OSError:
            pass
    os.chdir(request["cwd"])
    env = dict(request["env"])
    # What stack-dump/sitecustomize.py leaves behind in a spawned server: its folder off the path.
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.abspath(p) != STACK_DUMP_DIR]
    if rest:
        env["PYTHONPATH"] = os.pathsep.join(rest)
    else:
        env.pop("PYTHONPATH", None)
    os.environ.clear()
    os.environ.update(env)
    # The same registration the spawned server gets at start-up, now on the server's stderr.
    sitecustomize = sys.modules.get("sitecustomize")
    if sitecustomize is not None and hasattr(sitecustomize, "register_stack_dump"):
        sitecustomize.register_stack_dump()
    reseed_random_generators()
    replay_warnings(PRELOADED["warnings"])
    sys.argv = list(request["argv"])
    # `python -m` puts the working directory first on sys.path, where a script puts its own folder.
    sys.path[0] = os.getcwd()
    # A fresh __main__ for runpy to run fakeai/__main__.py in, not this launcher's globals.
    sys.modules["__main__"] = types.ModuleType("__main__")


def finish_server(code):
    """What interpreter shutdown does before exiting (join non-daemon threads, atexit), then exit."""
    for step in (threading._shutdown, atexit._run_exitfuncs):
        try:
            step()
        except BaseException:  # noqa: B036 - shutting down regardless
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: B036
            pass
    os._exit(code)


def wait_for_own_session(pid):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if os.getsid(pid) == pid:
                return
        except OSError:
            return  # already gone: its exit is reported as usual
        time.sleep(0.0002)


def take_down(groups, children, grace_s):
    """The runner is gone: every server's group gets SIGTERM, then SIGKILL once the grace is out."""
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGTERM)
        except OSError:
            pass
    # The grace is the servers' own: once none is left (a forked grandchild may be), kill at once,
    # as watchdog.py does.
    deadline = time.monotonic() + grace_s
    reap(children)
    while time.monotonic() < deadline and children:
        time.sleep(0.02)
        reap(children)
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
    # SIGKILL is not instant: wait for each server, so its exit is still reported.
    for pid in list(children):
        try:
            _, wstatus = os.waitpid(pid, 0)
        except ChildProcessError:
            continue
        report(children.pop(pid), wstatus)


def reap(children):
    while True:
        try:
            pid, wstatus = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        name = children.pop(pid, None)
        if name is None:
            continue  # the probe, already reaped by subprocess; nothing else is ours
        report(name, wstatus)


def report(name, wstatus):
    if os.WIFSIGNALED(wstatus):
        status(f"exit {name} - {signal.Signals(os.WTERMSIG(wstatus)).name}")
    else:
        status(f"exit {name} {os.WEXITSTATUS(wstatus)} -")


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: launcher.py GRACE_MS CACHE_DIR\n")
        return 64
    grace_s = int(argv[0]) / 1000.0
    cache_dir = argv[1]
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    # Only EOF on stdin ends this process; the group signals meant for servers never reach it.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    facts = interpreter_facts()
    status("facts " + json.dumps({k: facts[k] for k in ("found", "version", "pil")}))
    if not facts["found"]:
        status("unusable fakeai cannot be found by this interpreter")
        return 0
    try:
        modules, own, source = preload_list(facts, cache_dir)
    except Exception as e:
        status(f"unusable {e}")
        return 0
    global PRELOADED
    caught = []
    with recording_warnings(caught):
        loaded = preload(modules)
        try:
            package = preload_own(own)
        except BaseException as e:  # noqa: B036 - half-imported fakeai modules: nothing may be forked
            status(f"unusable importing FakeAI's own {', '.join(own['candidates'])} failed in the launcher: {type(e).__name__}: {e}")
            return 0
    PRELOADED = {"package": package, "warnings": caught}
    reason = why_unsafe_to_fork(package, own["modules"])
    if reason:
        status(f"unusable {reason}")
        return 0
    if package is not None:
        status(f"own {len(own['modules'])} {','.join(own['candidates'])}")
    else:
        status(f"own - {own['reason']}")
    status(f"ready {loaded} {source}")

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    private_fds = [wake_r, wake_w, selector.fileno()]

    children = {}  # pid -> name
    groups = set()  # every group a server led: what it forked stays in it after it exits
    pending = b""
    while True:
        for key, _ in selector.select():
            if key.fd == wake_r:
                try:
                    os.read(wake_r, 4096)
                except BlockingIOError:
                    pass
                reap(children)
                continue
            chunk = os.read(0, 65536)
            if not chunk:
                selector.unregister(0)
                take_down(sorted(groups), children, grace_s)
                # Skip finalising hundreds of preloaded modules: the runner may be waiting on us.
                os._exit(0)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if not line.strip():
                    continue
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    raise BecomeServer(request, private_fds)
                # Its pid goes out only once it leads its own session and group: the runner signals
                # the group, which would not exist yet. (setpgid from here instead would race with
                # the child's setsid, which a group leader may not call.)
                wait_for_own_session(pid)
                children[pid] = request["name"]
                groups.add(pid)
                status(f"pid {request['name']} {pid}")
        reap(children)


if __name__ == "__main__":
    _server = None
    try:
        _code = main(sys.argv[1:])
    except BecomeServer as become:
        _server = (become.request, become.close_fds)
    if _server is None:
        sys.exit(_code)
    # The forked child. Run at module level, outside any except block, so the server neither shows
    # launcher frames in its stacks nor chains its own exceptions to BecomeServer.
    _code = 1
    try:
        prepare_server(*_server)
        del _server
        if PRELOADED["package"] is not None:
            finish_package(PRELOADED["package"])
        runpy._run_module_as_main("fakeai")  # what `python -m fakeai` calls
        _code = 0
    except SystemExit as _exit:
        _code = exit_code_of(_exit)
    except BaseException:  # noqa: B036 - uncaught: reported as the interpreter would, exit 1
        sys.excepthook(*sys.exc_info())
        _code = 1
    finish_server(_code)
