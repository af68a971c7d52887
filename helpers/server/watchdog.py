"""Parent-death watchdog: runs one server and takes it down when the test runner goes away.

Usage: python watchdog.py GRACE_MS -- COMMAND [ARG...]

The runner spawns this script detached (a new session, so this process leads a new process group)
with stdin a pipe from the runner. The pipe's only writer is the runner, so stdin reaching EOF means
the runner is gone, however it died, SIGKILL included. Then the whole group gets SIGTERM, GRACE_MS
to exit, and SIGKILL: the group kill also reaches anything the server forked.

While the runner lives it stops the server itself by signalling the group. This process ignores
that SIGTERM and stays as long as anything else in its group runs (a child the server forked and
left behind), so that a runner dying in the middle of a stop still leaves someone to finish it.

Status lines on fd 3 (a pipe from the runner), when that fd is open:
  pid N             the server's pid, once spawned
  exit CODE SIGNAL  the server's exit, at once ("-" for the part that does not apply)
Then this process exits the way the server did.

The server starts with stack-dump/ first on its PYTHONPATH: its sitecustomize registers
faulthandler on SIGUSR1, so a hung server can be asked for every thread's stack (see
helpers/server/hang-watch.ts). It takes itself off the path again at once.
Standard library only: it must run under any interpreter the user points the suite at.
"""
import os
import signal
import subprocess
import sys
import threading

STACK_DUMP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stack-dump")


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write("usage: watchdog.py GRACE_MS -- COMMAND [ARG...]\n")
        return 64
    grace_s = int(argv[0]) / 1000.0
    command = argv[2:]

    try:
        os.setpgid(0, 0)  # already a group leader when spawned detached; this covers other launches
    except OSError:
        pass
    # Ignore the group-wide SIGTERM meant for the server; the exit status is relayed after it stops.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([STACK_DUMP_DIR] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    # The server must not hold the runner's pipe nor inherit our ignored signals.
    server = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        env=env,
        preexec_fn=lambda: (signal.signal(signal.SIGTERM, signal.SIG_DFL), signal.signal(signal.SIGINT, signal.SIG_DFL)),
    )
    status(f"pid {server.pid}")

    runner_gone = threading.Event()

    def on_runner_gone():
        try:
            sys.stdin.buffer.read()  # returns only at EOF
        except OSError:
            pass
        runner_gone.set()
        take_down_group(server, grace_s)

    takedown = threading.Thread(target=on_runner_gone, daemon=True)
    takedown.start()

    code = server.wait()
    sig = -code if code < 0 else None
    status(f"exit {'-' if sig else code} {signal.Signals(sig).name if sig else '-'}")
    # Stay while the group has other members: if the runner dies now, the takedown still runs.
    while not runner_gone.is_set() and others_in_group():
        runner_gone.wait(0.05)
    if runner_gone.is_set():
        takedown.join()  # ends in a group SIGKILL, this process included
    sys.stdout.flush()
    sys.stderr.flush()
    if sig:
        # Relay death by signal: die by the same one, with its default action restored.
        if sig not in (signal.SIGKILL, signal.SIGSTOP):  # those two cannot be handled, so need no reset
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        code = 128 + sig
    # os._exit, not sys.exit: interpreter shutdown aborts (SIGABRT) while the stdin thread blocks.
    os._exit(code)


def status(line):
    try:
        os.write(3, f"{line}\n".encode())
    except OSError:
        pass  # fd 3 not given: nobody asked


def others_in_group():
    """Whether any other live process shares our group. Linux (/proc) only; elsewhere: no."""
    me, pgid = os.getpid(), os.getpgid(0)
    try:
        entries = os.listdir("/proc")
    except OSError:
        return False
    for entry in entries:
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
            return True
    return False


def take_down_group(server, grace_s):
    pgid = os.getpgid(0)
    try:
        os.killpg(pgid, signal.SIGTERM)
        server.wait(timeout=grace_s)
    except (subprocess.TimeoutExpired, OSError):
        pass
    # Whatever is left (a server ignoring SIGTERM, a child it forked) goes now, this process with it.
    os.killpg(pgid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
