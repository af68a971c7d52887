"""Parent-death watchdog: runs one server and takes it down when the test runner goes away.

Usage: python watchdog.py GRACE_MS -- COMMAND [ARG...]

The runner spawns this script detached (a new session, so this process leads a new process group)
with stdin a pipe from the runner. The pipe's only writer is the runner, so stdin reaching EOF means
the runner is gone, however it died, SIGKILL included. Then the whole group gets SIGTERM, GRACE_MS
to exit, and SIGKILL: the group kill also reaches anything the server forked.

While the runner lives it stops the server itself by signalling the group. This process ignores
that SIGTERM, waits for the server, and exits the way the server did, so the runner sees the
server's own exit code or signal.

The server's pid is written to fd 3 (a pipe from the runner) when that fd is open.
Standard library only: it must run under any interpreter the user points the suite at.
"""
import os
import signal
import subprocess
import sys
import threading


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

    # The server must not hold the runner's pipe nor see our ignored signals as its own defaults.
    server = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: (signal.signal(signal.SIGTERM, signal.SIG_DFL), signal.signal(signal.SIGINT, signal.SIG_DFL)),
    )
    report_pid(server.pid)

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
    if runner_gone.is_set():
        # The server went on our SIGTERM; exiting now would spare whatever it forked. The takedown
        # ends in a group SIGKILL that ends this process too.
        takedown.join()
    sys.stdout.flush()
    sys.stderr.flush()
    if code < 0:
        # Relay death by signal: die by the same one, with its default action restored.
        sig = -code
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        code = 128 + sig
    # os._exit, not sys.exit: interpreter shutdown aborts (SIGABRT) while the stdin thread blocks.
    os._exit(code)


def report_pid(pid):
    try:
        os.write(3, f"{pid}\n".encode())
        os.close(3)
    except OSError:
        pass  # fd 3 not given: nobody asked for the pid


def take_down_group(server, grace_s):
    pgid = os.getpgid(0)
    try:
        os.killpg(pgid, signal.SIGTERM)
        server.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    except OSError:
        pass
    # Whatever is left (a server ignoring SIGTERM, a child it forked) goes now, this process with it.
    os.killpg(pgid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
