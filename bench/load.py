"""The load generator: a separate process that drives the benchmark's servers over HTTP (127.0.0.1 only).

``python -m bench.load PLAN OUT`` reads the plan the runner wrote (servers, people to log in,
pages, transitions), and writes what it measured: each request's latency, status and SQL
statement count (the ``X-Bench-Statements`` header). Every count of requests is bounded by the
plan and the whole run by ``deadline_seconds``.

Pages are requested one at a time, alternating between the small and the large server, so
that both sizes see the same machine at the same moment. Transitions run with a few clients at
once, in rounds alternating the real endpoint and the limit endpoint, for the same reason.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

STATEMENTS_HEADER = "X-Bench-Statements"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
USER_AGENT = "certflow-bench/1"


class Deadline(Exception):
    """The run's time is up."""


class Client:
    """HTTP to one server, one connection per request (gunicorn's sync workers close them anyway)."""

    def __init__(self, base: str, deadline: float):
        parts = urlsplit(base)
        if parts.hostname != "127.0.0.1":
            raise ValueError("the load generator only talks to 127.0.0.1")
        self.host, self.port, self.deadline = parts.hostname, parts.port, deadline
        self.cookies: dict[str, dict[str, str]] = {}  # person → cookie jar

    def request(self, method: str, path: str, *, person=None, token=None, body=None, form=None):
        """(status, milliseconds, statements, headers, text) of one request."""
        if time.monotonic() > self.deadline:
            raise Deadline()
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "en"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        jar = self.cookies.setdefault(person, {}) if person else None
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data, headers["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read()
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            conn.close()
        if jar is not None:
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                jar[name.strip()] = rest.split(";", 1)[0]
        statements = response.headers.get(STATEMENTS_HEADER)
        return response.status, elapsed, int(statements) if statements else None, text.decode("utf-8", "replace")

    def login(self, person: str, email: str, password: str) -> None:
        """Log ``person`` in through the login page, keeping their session cookie."""
        status, _, _, page = self.request("GET", "/login", person=person)
        match = CSRF.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"no login form ({status})")
        status, _, _, _ = self.request(
            "POST", "/login", person=person, form={"csrf_token": match.group(1), "email": email, "password": password}
        )
        if status != 302:
            raise RuntimeError(f"login of {email} failed ({status})")


def measure_pages(clients: dict[str, Client], plan: dict, results: dict) -> None:
    """Every page, small and large alternately, into ``results``: latencies, statuses, statements."""
    for page in plan["pages"]:
        runs = {size: {"ms": [], "statements": [], "statuses": [], "warmup_ms": []} for size in page["targets"]}
        results[page["name"]] = runs
        for i in range(page["warmup"] + page["requests"]):
            for size, target in page["targets"].items():
                status, ms, statements, _ = clients[size].request(
                    "GET", target["path"], person=target.get("person"), token=target.get("token")
                )
                if i < page["warmup"]:
                    runs[size]["warmup_ms"].append(ms)
                else:
                    runs[size]["ms"].append(ms)
                    runs[size]["statements"].append(statements)
                    runs[size]["statuses"].append(status)


def _batch(client: Client, requests: list[dict], concurrency: int) -> dict:
    """Send ``requests`` with ``concurrency`` clients at once; latencies, statuses, wall time."""
    queue = list(reversed(requests))
    lock = threading.Lock()
    out = {"ms": [], "statuses": [], "statements": []}
    errors: list[BaseException] = []

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                item = queue.pop()
            try:
                status, ms, statements, _ = client.request(
                    "POST", item["path"], token=item.get("token"), body=item["body"]
                )
            except BaseException as exc:  # noqa: BLE001 - reported, and the batch stops
                errors.append(exc)
                return
            with lock:
                out["ms"].append(ms)
                out["statuses"].append(status)
                out["statements"].append(statements)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["seconds"] = time.perf_counter() - started
    out["error"] = errors[0] if errors else None
    return out


def measure_transitions(client: Client, plan: dict, totals: dict) -> None:
    """The real endpoint and the limit, in alternating rounds on distinct applications, into ``totals``."""
    rounds, concurrency = plan["rounds"], plan["concurrency"]
    for kind in ("real", "limit"):
        totals[kind] = {"ms": [], "statuses": [], "statements": [], "seconds": 0.0}
    for r in range(rounds):
        for kind in ("real", "limit"):
            chunk = plan[kind][r::rounds]
            if not chunk:
                continue
            done = _batch(client, chunk, concurrency)
            for key in ("ms", "statuses", "statements"):
                totals[kind][key].extend(done[key])
            totals[kind]["seconds"] += done["seconds"]
            if done["error"] is not None:
                raise done["error"]


def main(argv: list[str]) -> int:
    """Run the plan of ``argv[0]``; write the measurements to ``argv[1]``."""
    with open(argv[0], encoding="utf-8") as fh:
        plan = json.load(fh)
    deadline = time.monotonic() + plan["deadline_seconds"]
    clients = {size: Client(base, deadline) for size, base in plan["servers"].items()}
    out: dict = {"truncated": False}
    try:
        for size, people in plan["logins"].items():
            for person, (email, password) in people.items():
                clients[size].login(person, email, password)
        out["pages"] = {}
        measure_pages(clients, plan, out["pages"])
        if plan.get("transitions"):
            out["transitions"] = {}
            measure_transitions(clients[plan["transitions"]["server"]], plan["transitions"], out["transitions"])
    except Deadline:
        out["truncated"] = True
    with open(argv[1], "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
