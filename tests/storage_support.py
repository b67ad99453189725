"""The S3 side of the storage tests: a real S3-protocol server (moto's server mode) on a free port.

It is the edge of the world (an object store), so a stand-in server is acceptable; certflow talks to it
over HTTP through s3fs exactly as it would to a production object store.
"""

from __future__ import annotations

import secrets
import socket
import time
import urllib.request

ACCESS = {"key": "certflow-test", "secret": "certflow-test-secret"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_s3_server():
    """(the server, its endpoint URL); the server answers before this returns."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the test output
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2).read()
            return server, url
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.1)


def s3_options(endpoint: str) -> dict:
    """The STORAGE_OPTIONS of a store on the test server."""
    return {"endpoint_url": endpoint, **ACCESS}


def new_bucket(endpoint: str) -> str:
    """A new, empty bucket on the test server; its name."""
    import s3fs

    name = f"certflow-{secrets.token_hex(6)}"
    s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True, **ACCESS).mkdir(name)
    return name
