"""Shared pieces of the reliability tools: the server as a child process, login over HTTP and the
WebSocket protocol of docs/protocol.md (python3-websockets from Debian)."""

import asyncio
import http.client
import json
import sys
import os
import re
import signal
import subprocess
import time

import websockets
import websockets.exceptions

DEFAULT_BINARY = os.path.join(os.path.dirname(__file__), "..", "..", "build", "chatterbox")
PASSWORD = "reliability-pass"

# The harnesses drive many users from one address at rates a person never would; these lift the
# per-user and per-address abuse limits when the binary knows them (older binaries do not).
LOAD_FLAGS = {
    "--message-rate": "100000",
    "--message-burst": "100000",
    "--signal-rate": "100000",
    "--signal-burst": "100000",
    "--login-attempts-per-minute": "1000000",  # binaries before --login-failures-per-address
    "--login-failures-per-address": "1000000",
    "--login-free-failures": "1000000",
    "--max-pending-logins-per-address": "1000000",
    "--query-rate": "100000",
    "--query-burst": "100000",
    "--inbound-frame-rate": "1000000",
}


def supported_flags(binary):
    out = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10)
    return set(re.findall(r"--[a-z0-9-]+", out.stdout + out.stderr))


def load_args(binary):
    known = supported_flags(binary)
    args = []
    for flag, value in LOAD_FLAGS.items():
        if flag in known:
            args += [flag, value]
    return args


class Server:
    """One chatterbox process at a time on a fixed database; restartable on the same port."""

    def __init__(self, binary, db_path, log_path, extra_args=(), env=None):
        self.binary = os.path.abspath(binary)
        self.db_path = db_path
        self.log_path = log_path
        self.extra_args = list(extra_args)
        self.env = env
        self.port = 0
        self.process = None
        self.starts = 0

    def start(self, timeout=30):
        args = [self.binary, "--port", str(self.port), "--db", self.db_path] + self.extra_args
        log = open(self.log_path, "ab")
        mark = log.tell()
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                f.seek(mark)
                found = re.search(rb"listening on http://[0-9.]+:(\d+)", f.read())
            if found:
                self.port = int(found.group(1))
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"server did not start; see {self.log_path}")

    @property
    def pid(self):
        return self.process.pid

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self, timeout=30):
        """SIGTERM and wait; returns the exit status (None if it had to be killed)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            return None


def login_blocking(port, username, password=PASSWORD, timeout=60):
    """(status, token or None, retry_after seconds or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = json.dumps({"username": username, "password": password})
        conn.request("POST", "/api/login", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        token = json.loads(payload).get("token") if response.status in (200, 201) else None
        retry = response.getheader("Retry-After")
        return response.status, token, float(retry) if retry else None
    finally:
        conn.close()


async def login(port, username, password=PASSWORD, attempts=20):
    """A token for username, retrying while the server answers 429/503 (limits, busy hasher)."""
    for _ in range(attempts):
        status, token, retry = await asyncio.to_thread(login_blocking, port, username, password)
        if token:
            return token
        if status not in (429, 503):
            raise RuntimeError(f"login {username}: HTTP {status}")
        await asyncio.sleep(retry or 0.5)
    raise RuntimeError(f"login {username}: still refused after {attempts} attempts")


def connect(port, token, **kwargs):
    """A websockets connection (use with `async with`), authenticated by bearer token."""
    return websockets.connect(
        f"ws://127.0.0.1:{port}/ws",
        extra_headers={"Authorization": f"Bearer {token}"},
        max_size=8 * 1024 * 1024,
        ping_interval=None,  # the server pings idle peers; the library answers by itself
        open_timeout=10,
        close_timeout=2,
        **kwargs,
    )


def events(raw):
    """A server frame is one event object or a JSON array of them."""
    decoded = json.loads(raw)
    return decoded if isinstance(decoded, list) else [decoded]


async def wait_for_event(ws, kind, timeout=30, match=lambda event: True):
    """The first event of type `kind` (that `match`es) from ws; other events are dropped."""
    deadline = time.monotonic() + timeout
    while True:
        raw = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
        for event in events(raw):
            if event.get("type") == kind and match(event):
                return event
            if event.get("type") == "error":
                raise RuntimeError(f"server error while waiting for {kind}: {event}")


async def create_private_room(port, token, name, users):
    """Protocol 2: creates a private room with `users` (besides the token's user) and returns its
    id. Its own connection: hello first (the only frame on connect), then create_room."""
    async with connect(port, token) as ws:
        await wait_for_event(ws, "hello")
        await ws.send(json.dumps({"type": "create_room", "kind": "private", "name": name,
                                  "users": users, "client_id": f"create-{name}"}))
        event = await wait_for_event(ws, "room",
                                     match=lambda e: e.get("ref") == f"create-{name}")
        return event["room"]["id"]


# What a dropped connection or a dead server looks like to a client.
CONNECTION_ERRORS = (
    websockets.exceptions.WebSocketException,
    OSError,
    asyncio.TimeoutError,
    EOFError,
)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1",
              "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT",
              "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING"}


def socket_states(pid):
    """{TCP state: count} of the process's open TCP sockets (to explain fds that stay open)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    states = {}
    for table in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{table}") as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[9] in inodes:
                    state = TCP_STATES.get(fields[3], fields[3])
                    states[state] = states.get(state, 0) + 1
    return states


def report_and_exit(result, workdir, keep):
    """The end of every harness: its problems, the RESULT line report.sh reads, the work
    directory kept when something failed (or on request), and the exit status."""
    import shutil
    for problem in result["problems"]:
        print(f"  PROBLEM: {problem}")
    print("RESULT " + json.dumps(result), flush=True)
    if keep or result["problem_count"]:
        print(f"work directory kept: {workdir}")
    else:
        shutil.rmtree(workdir)
    sys.exit(1 if result["problem_count"] else 0)
