"""A test-harness stand-in for GitLab's REST API: merge-request notes only.

Serves GET/POST /api/v4/projects/:id/merge_requests/:iid/notes and PUT .../notes/:note_id on
127.0.0.1, paginated like GitLab (per_page, page, X-Next-Page), and checks PRIVATE-TOKEN.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "glpat-test-harness-token"
_NOTES = re.compile(r"^/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes(?:/(\d+))?$")


@dataclass
class FakeGitLab:
    url: str = ""
    notes: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000

    def add_note(self, project: str, iid: str, body: str) -> int:
        self.next_id += 1
        self.notes.setdefault((project, iid), []).append({"id": self.next_id, "body": body})
        return self.next_id


def _handler(state: FakeGitLab) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _reply(self, code: int, data: Any, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(data).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _route(self, method: str) -> None:
            parsed = urlparse(self.path)
            state.requests.append((method, parsed.path))
            if self.headers.get("PRIVATE-TOKEN") != TOKEN:
                return self._reply(401, {"message": "401 Unauthorized"})
            match = _NOTES.match(parsed.path)
            if not match:
                return self._reply(404, {"message": "404 Not Found"})
            project, iid, note_id = match.groups()
            notes = state.notes.setdefault((project, iid), [])
            if method == "GET" and note_id is None:
                query = parse_qs(parsed.query)
                per_page = int(query.get("per_page", ["20"])[0])
                page = int(query.get("page", ["1"])[0])
                chunk = notes[(page - 1) * per_page : page * per_page]
                more = page * per_page < len(notes)
                return self._reply(200, chunk, {"X-Next-Page": str(page + 1) if more else ""})
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            if method == "POST" and note_id is None:
                new_id = state.add_note(project, iid, payload["body"])
                return self._reply(201, {"id": new_id, "body": payload["body"]})
            if method == "PUT" and note_id is not None:
                for note in notes:
                    if note["id"] == int(note_id):
                        note["body"] = payload["body"]
                        return self._reply(200, note)
            return self._reply(404, {"message": "404 Not Found"})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PUT(self) -> None:
            self._route("PUT")

    return Handler


@contextmanager
def serve() -> Iterator[FakeGitLab]:
    state = FakeGitLab()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
