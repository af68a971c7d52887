"""A process in one known scheduler state, for helpers/__tests__/server-rest.test.ts.

Usage: python states.py MODE [ARGS]
  epoll              the main thread waits in epoll_wait for ever (an idle event loop)
  sleep              the main thread sleeps in time.sleep (not an event loop)
  busy               the main thread spins
  epoll-busy-thread  the main thread waits in epoll_wait while another thread spins
  epoll-child        the main thread waits in epoll_wait, with a child process
  late-traceback MS  an asyncio HTTP server: answers each request, then works MS ms of CPU in its
                     event loop, then logs a traceback to stderr (a failure after the answer)
Prints "ready PORT" (PORT 0 when there is none) once in that state's setup.
"""
import asyncio
import selectors
import subprocess
import sys
import threading
import time


def spin():
    while True:
        pass


def epoll_forever():
    sel = selectors.EpollSelector()
    while True:
        sel.select()


def late_traceback(ms):
    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()
        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            pass
        try:
            raise KeyError("late")
        except KeyError:
            import traceback

            sys.stderr.write("ERROR:    Exception in ASGI application\n" + traceback.format_exc())
            sys.stderr.flush()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        print(f"ready {server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()

    asyncio.run(main())


mode = sys.argv[1]
if mode == "late-traceback":
    late_traceback(int(sys.argv[2]))
    sys.exit(0)
if mode == "epoll-busy-thread":
    threading.Thread(target=spin, daemon=True).start()
if mode == "epoll-child":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("ready 0", flush=True)
if mode == "sleep":
    time.sleep(60)
elif mode == "busy":
    spin()
else:
    epoll_forever()
