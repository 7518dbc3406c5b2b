"""How uvicorn reads the services' requests: httptools (cheaper than h11, decision 25), with a
bound on what a request's head may hold before the app sees it.

httptools sets no limit on a request's head: a client may send header bytes for as long as it
likes, and the server keeps them all. The app answers headers over 16 KiB with 431 problem+json
(``continuum.web.limits.HeaderLimit``), but only once the whole head has arrived; this protocol
refuses the connection, with the same 431, once a head still arriving has passed
:data:`MAX_HEAD_BYTES`. uvicorn runs with ``--http continuum.web.server:HttpToolsWithHeadLimit``
wherever the services are started (``continuum_tools.devstack.UVICORN_RUNTIME``, the image's CMD).
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from continuum.casework.errors import FieldError
from continuum.web.errors import PROBLEM_JSON, Problem

#: The most a request's head may take while it arrives. Counted per chunk read from the socket,
#: and a chunk may also carry the end of the previous request's body (a pipelining client), so
#: this is a bound on memory, well above the app's limit of the headers themselves.
MAX_HEAD_BYTES = 1024 * 1024


class HttpToolsWithHeadLimit(HttpToolsProtocol):
    """uvicorn's httptools protocol that answers 431 and closes the connection once a request's
    head, still arriving, passes :data:`MAX_HEAD_BYTES`."""

    _in_head = True
    _head_bytes = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse()

    def _refuse(self) -> None:
        problem = Problem(
            431,
            "headers-too-large",
            "Request Header Fields Too Large",
            detail=f"the request's head passed {MAX_HEAD_BYTES} bytes before it ended",
            errors=[FieldError("headers", "too large")],
        )
        payload = json.dumps(problem.body(instance=None)).encode()
        head = (
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            + f"content-type: {PROBLEM_JSON}\r\ncontent-length: {len(payload)}\r\nconnection: close\r\n\r\n".encode()
        )
        self.transport.write(head + payload)
        self.transport.close()
