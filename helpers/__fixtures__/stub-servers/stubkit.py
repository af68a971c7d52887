"""Shared toolkit for stub servers: parse FakeAI's command line, serve /health and a few routes.

Standard library only, so the stubs run under any python3 without the project's venv.
"""
import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="fakeai")
    sub = parser.add_subparsers(dest="command", required=True)
    srv = sub.add_parser("server")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)
    return parser.parse_args(argv)


def log(line):
    """Log like FakeAI does: to stderr, flushed at once."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class Handler(BaseHTTPRequestHandler):
    """GET /health answers ready; subclasses add routes through `routes`."""

    ready = True
    routes = {}

    def log_message(self, fmt, *args):  # silence http.server's own access log
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self.send_json(200, {"status": "healthy" if self.ready else "starting", "ready": self.ready})
        elif self.path in self.routes:
            self.routes[self.path](self)
        else:
            self.send_json(404, {"detail": "Not Found"})

    do_POST = do_GET


def serve(handler=Handler, argv=None, banner=True):
    args = parse_args(argv)
    httpd = ThreadingHTTPServer((args.host, args.port), handler)
    if banner:
        print("FakeAI - OpenAI Compatible API Server (stub)", flush=True)
        log(f"INFO:     Uvicorn running on http://{args.host}:{args.port} (Press CTRL+C to quit)")
    httpd.serve_forever()
