#!/usr/bin/python3
"""Crash durability: 20 clients send ~500 msg/s while the server is kill -9'd at random moments
and restarted on the same database. Afterwards the database must hold every acknowledged message
under the id its ack gave, nothing twice, pass PRAGMA integrity_check, and every client (which
reconnects and resumes with `sync {since: highest seq seen}`) must have seen every message.

  crash_test.py [--kills 20] [--clients 20] [--rate 500] [--binary build/chatterbox]
Prints a summary and one JSON line (prefix RESULT) for report.sh; exits 1 on any violation."""

import argparse
import asyncio
import json
import os
import random
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chatterbox_client as cc  # noqa: E402


class Client:
    """One user with one connection at a time. Keeps, across reconnects, every message id it has
    seen, the highest seq, and the sends not yet acknowledged (resent after a reconnect with the
    same client_id, which the server must answer with the original ack)."""

    def __init__(self, name, token, rate, test):
        self.name = name
        self.token = token
        self.interval = 1.0 / rate
        self.test = test
        self.seen = set()
        self.max_seq = 0
        self.acked = {}  # client_id -> id
        self.unacked = {}  # client_id -> text
        self.sent = 0
        self.resent = 0
        self.connections = 0
        self.errors = []
        self.done = False

    def handle(self, event):
        kind = event.get("type")
        if kind == "message":
            self.seen.add(event["id"])
            self.max_seq = max(self.max_seq, event["seq"])
        elif kind == "ack":
            cid, mid = event["client_id"], event["id"]
            if cid in self.acked and self.acked[cid] != mid:
                self.errors.append(f"{cid} acked as {self.acked[cid]} and then as {mid}")
            self.acked[cid] = mid
            self.unacked.pop(cid, None)
        elif kind == "error":
            self.errors.append(f"server error {event}")

    async def sync(self, ws):
        """Everything after the highest seq seen, page by page, handling live events meanwhile."""
        since = self.max_seq
        await ws.send(json.dumps({"type": "sync", "since": since}))
        finished = False
        while not finished:
            raw = await asyncio.wait_for(ws.recv(), 15)
            # Handle the whole frame: live events batched after the last sync page count too.
            for event in cc.events(raw):
                if event.get("type") != "sync":
                    self.handle(event)
                    continue
                for m in event["messages"]:
                    self.seen.add(m["id"])
                    self.max_seq = max(self.max_seq, m["seq"])
                if not event["has_more"]:
                    finished = True
                else:
                    # Continue from the page's end, not max_seq: live events may be ahead of it.
                    await ws.send(json.dumps({"type": "sync", "since": event["seq"]}))

    async def receive(self, ws):
        async for raw in ws:
            for event in cc.events(raw):
                self.handle(event)

    def send_frame(self, cid):
        return json.dumps({"type": "send", "room": 1, "client_id": cid,
                           "text": self.unacked[cid]})

    async def session(self):
        async with cc.connect(self.test.server.port, self.token) as ws:
            self.connections += 1
            await self.sync(ws)
            for cid in list(self.unacked):
                self.resent += 1
                await ws.send(self.send_frame(cid))
            receiver = asyncio.create_task(self.receive(ws))
            try:
                next_send = time.monotonic()
                while not self.test.draining.is_set():
                    if receiver.done():
                        receiver.result()  # the connection dropped: raise its error
                    # Paced by a schedule, not a fixed sleep, so loop overhead does not lower the
                    # offered rate; the jitter keeps the 20 clients from sending in lockstep.
                    next_send += self.interval * random.uniform(0.5, 1.5)
                    await asyncio.sleep(max(0.0, next_send - time.monotonic()))
                    cid = f"{self.name}-{self.sent}"
                    self.sent += 1
                    self.unacked[cid] = f"message {cid} from {self.name}"
                    await ws.send(self.send_frame(cid))
                while self.unacked:
                    if receiver.done():
                        receiver.result()
                    await asyncio.sleep(0.05)
            finally:
                receiver.cancel()
            self.test.acked_clients.add(self.name)
            await self.test.all_acked.wait()
            await self.sync(ws)  # the final resume: nothing is being written any more
            self.done = True

    async def run(self):
        while not self.done:
            try:
                await self.session()
            except cc.CONNECTION_ERRORS:
                await asyncio.sleep(random.uniform(0.05, 0.3))


class CrashTest:
    def __init__(self, args, workdir):
        self.args = args
        self.db_path = os.path.join(workdir, "crash.db")
        extra = ["--argon2-ops", "1", "--argon2-mem-kib", "8"] + cc.load_args(args.binary)
        self.server = cc.Server(args.binary, self.db_path, os.path.join(workdir, "server.log"),
                                extra)
        self.draining = asyncio.Event()
        self.all_acked = asyncio.Event()
        self.acked_clients = set()  # names of clients with nothing unacknowledged
        self.kill_log = []

    async def run(self):
        self.server.start()
        tokens = [await cc.login(self.server.port, f"crash{i:02d}") for i in range(self.args.clients)]
        per_client = self.args.rate / self.args.clients
        clients = [Client(f"crash{i:02d}", t, per_client, self) for i, t in enumerate(tokens)]
        tasks = [asyncio.create_task(c.run()) for c in clients]
        started = time.monotonic()

        await asyncio.sleep(2)
        for k in range(self.args.kills):
            await asyncio.sleep(random.uniform(self.args.min_gap, self.args.max_gap))
            acked = sum(len(c.acked) for c in clients)
            self.server.kill9()
            down_at = time.monotonic()
            await asyncio.sleep(random.uniform(0, 0.3))
            await asyncio.to_thread(self.server.start)
            self.kill_log.append({"kill": k + 1, "acked_before": acked,
                                  "down_ms": round((time.monotonic() - down_at) * 1000)})
            print(f"kill {k + 1}/{self.args.kills}: {acked} acked so far, "
                  f"restarted in {self.kill_log[-1]['down_ms']} ms", flush=True)
        await asyncio.sleep(3)

        self.draining.set()
        deadline = time.monotonic() + 60
        while len(self.acked_clients) < len(clients) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        self.all_acked.set()
        done, pending = await asyncio.wait(tasks, timeout=60)
        for task in pending:
            task.cancel()
        elapsed = time.monotonic() - started
        status = self.server.terminate()
        return self.verify(clients, elapsed, status, len(pending))

    def verify(self, clients, elapsed, exit_status, stuck):
        problems = [f"{stuck} clients never finished"] if stuck else []
        if exit_status != 0:
            problems.append(f"server exit status {exit_status} after SIGTERM")
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:5]}")
        stored = {}
        for mid, user, cid in db.execute(
                "SELECT m.id, u.username, m.client_id FROM messages m JOIN users u ON u.id = m.user_id"):
            if (user, cid) in stored:
                problems.append(f"{user}/{cid} stored twice")
            stored[(user, cid)] = mid
        twice = db.execute("SELECT text, count(*) FROM messages GROUP BY text HAVING count(*) > 1")
        problems += [f"text stored {n} times: {text}" for text, n in twice.fetchall()[:10]]
        all_ids = set(stored.values())
        acked_total = 0
        for c in clients:
            problems += [f"{c.name}: {e}" for e in c.errors[:5]]
            for cid, mid in c.acked.items():
                acked_total += 1
                if stored.get((c.name, cid)) != mid:
                    problems.append(f"{c.name}/{cid}: acked as id {mid}, "
                                    f"database has {stored.get((c.name, cid))}")
            if c.unacked:
                problems.append(f"{c.name}: {len(c.unacked)} sends never acknowledged")
            gap = all_ids - c.seen
            if gap:
                problems.append(f"{c.name}: {len(gap)} stored messages never seen, e.g. {sorted(gap)[:5]}")
        db.close()
        result = {
            "kills": self.args.kills,
            "clients": len(clients),
            "seconds": round(elapsed, 1),
            "sent": sum(c.sent for c in clients),
            "acked": acked_total,
            "stored": len(stored),
            "resent_after_reconnect": sum(c.resent for c in clients),
            "reconnects": sum(c.connections for c in clients) - len(clients),
            "ack_rate_per_s": round(acked_total / elapsed),
            "max_restart_ms": max((k["down_ms"] for k in self.kill_log), default=0),
            "integrity": integrity[0] if integrity else "?",
            "problems": problems[:50],
            "problem_count": len(problems),
        }
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.environ.get("CHATTERBOX_BINARY", cc.DEFAULT_BINARY))
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rate", type=float, default=500, help="messages per second, all clients")
    parser.add_argument("--min-gap", type=float, default=1.0, help="seconds between kills, at least")
    parser.add_argument("--max-gap", type=float, default=4.0)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="chatterbox-crash-")
    result = asyncio.run(CrashTest(args, workdir).run())
    print(f"crash test: {result['kills']} kills, {result['sent']} sent, {result['acked']} acked, "
          f"{result['stored']} stored, {result['resent_after_reconnect']} resent, "
          f"{result['reconnects']} reconnects, {result['ack_rate_per_s']} acks/s, "
          f"integrity {result['integrity']}")
    cc.report_and_exit(result, workdir, args.keep)


if __name__ == "__main__":
    main()
