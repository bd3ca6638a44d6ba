"""Feeds served from 127.0.0.1 by a small threading HTTP server: each path answers with a body the test sets,
with ETag / Last-Modified support (a 304 when the reader sends them back), and every request is counted."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str = ""
    last_modified: str = ""
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering (a slow server)
    declare_length: bool = True  # False: no Content-Length, the body streams until the connection closes
    headers: dict[str, str] = field(default_factory=dict)  # more headers (a redirect's Location)


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)  # (path, headers) of each request
    url: str = ""

    def serve(self, path: str, body: bytes | str, **options) -> str:
        self.routes[path] = Route(body=body.encode() if isinstance(body, str) else body, **options)
        return self.url + path

    def serve_file(self, path: str, name: str, **options) -> str:
        return self.serve(path, (DATA / name).read_bytes(), **options)

    def count(self, path: str) -> int:
        return sum(1 for requested, _headers in self.requests if requested == path)

    def last_headers(self, path: str) -> dict:
        return [headers for requested, headers in self.requests if requested == path][-1]


def _handler(server: FeedServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            server.requests.append((self.path, dict(self.headers)))
            route = server.routes.get(self.path)
            if route is None:
                self.send_error(404, "No such feed")
                return
            if route.delay:
                time.sleep(route.delay)
            unchanged = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                not route.etag and route.last_modified
                and self.headers.get("If-Modified-Since") == route.last_modified
            )
            if unchanged:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.declare_length:
                self.send_header("Content-Length", str(len(route.body)))
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the reader gave up (a body over its limit): that is what the test wants

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def feed_server():
    server = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield server
    httpd.shutdown()
    httpd.server_close()
