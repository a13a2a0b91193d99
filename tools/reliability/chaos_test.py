#!/usr/bin/python3
"""Chaos run: many clients send at a steady total rate to one server process while, in turn,
  lock   another SQLite connection holds the database's write lock for a few seconds (an
         operator's sqlite3 shell, a backup tool);
  full   the database reaches its size limit (--max-db-bytes): a ballast table is grown to just
         under the limit, the clients' messages fill the rest, sends are refused for a while, then
         the ballast is dropped and the refused sends must go through;
  kill   the server is killed with SIGKILL a few times and restarted on the same file and port;
with a warm-up before and a cool-down after, then SIGTERM. Clients retry refused sends
(`error internal`, `rate_limited`) with the same client_id, reconnect when the server goes away,
resend what was not acknowledged and resume with `sync`. Protocol 2: half of the messages go to
`general`, half to a private room of all the clients; each must be stored in its room. A child
process (chaos_probe.py) times
`history` round trips every 50 ms throughout.

Violations (exit 1): an acknowledged message missing or under another id, a message stored twice,
a send never acknowledged, a client missing a stored message after its final sync, integrity_check
not ok, any server exit other than our kills and the final SIGTERM's status 0, an event-loop stall
(GET /metrics, chatterbox_event_loop_max_stall_seconds, scraped every second and before each kill)
or a probe round trip during the lock over --max-stall-ms, a login during the lock that gets no
answer, sends still pending --recover-timeout after a disruption ended, a full phase that never
refused a send, or a binary without --max-db-bytes (the full phase cannot run).

  chaos_test.py [--clients 50] [--rate 300] [--phases lock,full,kill] [--binary build/chatterbox]
Prints a per-phase table and one JSON line (prefix RESULT) for report.sh."""

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chatterbox_client as cc  # noqa: E402
import crash_test  # noqa: E402
import operator_db  # noqa: E402

PHASES = ("lock", "full", "kill")


class Aborted(Exception):
    """The server is gone for good; the remaining phases cannot run."""


class ChaosClient(crash_test.Client):
    """crash_test's client (reconnect, resend unacknowledged, resume with sync, final sync) that
    also retries sends the server refused, with the same client_id and a growing backoff."""

    def __init__(self, name, token, rate, test):
        super().__init__(name, token, rate, test)
        self.retry_at = {}  # client_id -> monotonic time of its next retry
        self.attempts = {}  # client_id -> refusals so far
        self.first_sent = {}  # client_id -> (phase, monotonic time) until acknowledged

    def handle(self, event):
        kind = event.get("type")
        if kind == "ack" and event["client_id"] in self.first_sent:
            phase, sent_at = self.first_sent.pop(event["client_id"])
            self.test.count(phase, "acked")
            self.test.count_max(phase, "max_ack_ms", (time.monotonic() - sent_at) * 1000)
            self.retry_at.pop(event["client_id"], None)
        elif kind == "error":
            code, cid = event.get("code"), event.get("ref")
            self.test.errors_by_code[code] = self.test.errors_by_code.get(code, 0) + 1
            if code in ("internal", "rate_limited"):
                # Nothing was stored: retry later with the same client_id. (Already acknowledged:
                # an older copy of the send was answered first; nothing left to do.)
                if cid not in self.unacked:
                    return
                if code == "internal":
                    self.test.refused()
                self.attempts[cid] = self.attempts.get(cid, 0) + 1
                backoff = min(2.0, 0.1 * 2 ** self.attempts[cid]) * random.uniform(0.5, 1.5)
                if code == "rate_limited":
                    backoff = event.get("retry_after_ms", 100) / 1000
                self.retry_at[cid] = time.monotonic() + backoff
                return
        super().handle(event)

    async def retry_due(self, ws):
        now = time.monotonic()
        for cid in [c for c, at in self.retry_at.items() if at <= now]:
            del self.retry_at[cid]
            self.test.count(self.test.phase, "retries")
            await ws.send(self.send_frame(cid))

    async def session(self):
        async with cc.connect(self.test.server.port, self.token) as ws:
            self.connections += 1
            await self.sync(ws)
            self.retry_at.clear()  # everything unacknowledged is resent now
            for cid in list(self.unacked):
                self.resent += 1
                await ws.send(self.send_frame(cid))
            receiver = asyncio.create_task(self.receive(ws))
            try:
                next_send = time.monotonic()
                while not self.test.draining.is_set():
                    if receiver.done():
                        receiver.result()  # the connection dropped: raise its error
                    next_send += self.interval * random.uniform(0.5, 1.5)
                    await asyncio.sleep(max(0.0, next_send - time.monotonic()))
                    await self.retry_due(ws)
                    cid = f"{self.name}-{self.sent}"
                    self.sent += 1
                    self.unacked[cid] = f"chaos message {cid} from {self.name}"
                    self.first_sent[cid] = (self.test.phase, time.monotonic())
                    self.test.count(self.test.phase, "sent")
                    await ws.send(self.send_frame(cid))
                while self.unacked:
                    if receiver.done():
                        receiver.result()
                    await self.retry_due(ws)
                    await asyncio.sleep(0.05)
            finally:
                receiver.cancel()
            self.test.acked_clients.add(self.name)
            await self.test.all_acked.wait()
            await self.sync(ws)
            self.done = True


def scrape_stall_seconds(port):
    """chatterbox_event_loop_max_stall_seconds (the worst since the server started), or None
    when the server does not answer within 3 s."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        conn.request("GET", "/metrics")
        body = conn.getresponse().read().decode()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()
    found = re.search(r"^chatterbox_event_loop_max_stall_seconds (\S+)$", body, re.M)
    return float(found.group(1)) if found else None


class ChaosTest:
    def __init__(self, args, workdir):
        self.args = args
        self.db_path = os.path.join(workdir, "chaos.db")
        self.log_path = os.path.join(workdir, "server.log")
        self.probe_path = os.path.join(workdir, "probe.txt")
        known = cc.supported_flags(args.binary)
        extra = ["--argon2-ops", "1", "--argon2-mem-kib", "8", "--metrics", "on"]
        extra += cc.load_args(args.binary)
        self.limit_bytes = None
        if "full" in args.phases and "--max-db-bytes" in known:
            self.limit_bytes = args.db_limit_mb * 1024 * 1024
            extra += ["--max-db-bytes", str(self.limit_bytes)]
        self.flag_missing = "full" in args.phases and "--max-db-bytes" not in known
        self.server = cc.Server(args.binary, self.db_path, self.log_path, extra)
        self.server_lock = asyncio.Lock()  # one kill or restart at a time
        self.draining = asyncio.Event()
        self.all_acked = asyncio.Event()
        self.acked_clients = set()
        self.clients = []
        self.phase = "warm-up"
        self.windows = []  # (phase, start, end) in monotonic time
        self.stats = {}  # phase -> counters
        self.errors_by_code = {}
        self.exits = []  # unexpected server exits
        self.stall = {"worst_s": 0.0, "by_phase": {}, "scrapes": 0, "last": {}}
        self.kill_log = []
        self.kill = {}
        self.lock = {}
        self.full = {}
        self.problems = []
        self.fatal = None

    # Bookkeeping --------------------------------------------------------------------------------

    def phase_stats(self, phase):
        return self.stats.setdefault(phase, {"sent": 0, "acked": 0, "refused": 0, "retries": 0,
                                             "max_ack_ms": 0, "refused_first": None,
                                             "refused_last": None})

    def count(self, phase, key):
        self.phase_stats(phase)[key] += 1

    def count_max(self, phase, key, value):
        stats = self.phase_stats(phase)
        stats[key] = max(stats[key], round(value))

    def refused(self):
        stats = self.phase_stats(self.phase)
        stats["refused"] += 1
        now = time.monotonic()
        stats["refused_first"] = stats["refused_first"] or now
        stats["refused_last"] = now

    async def pause(self, seconds):
        """Sleeps in small steps; raises Aborted once the server cannot be brought back."""
        deadline = time.monotonic() + seconds
        while True:
            if self.fatal:
                raise Aborted(self.fatal)
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(0.05, left))

    async def in_phase(self, name, body):
        self.phase = name
        started = time.monotonic()
        print(f"phase {name}", flush=True)
        try:
            await body()
        finally:
            self.windows.append((name, started, time.monotonic()))

    async def wait_backlog(self, what):
        """Waits until every send unacknowledged right now is acknowledged; returns how long it
        took in ms, or None (and a problem) after --recover-timeout."""
        started = time.monotonic()
        backlog = [(c, cid) for c in self.clients for cid in c.unacked]
        while any(cid in c.unacked for c, cid in backlog):
            if time.monotonic() - started > self.args.recover_timeout:
                left = sum(cid in c.unacked for c, cid in backlog)
                self.problems.append(f"{what}: {left} of {len(backlog)} pending sends still "
                                     f"unacknowledged {self.args.recover_timeout:.0f} s later")
                return None
            await self.pause(0.05)
        return round((time.monotonic() - started) * 1000)

    # The server: exits, restarts, metrics -------------------------------------------------------

    def record_stall(self, life, value):
        if value is None:
            return
        self.stall["scrapes"] += 1
        if value > self.stall["last"].get(life, 0.0):
            # A new maximum for this server process: it happened since the previous scrape.
            by_phase = self.stall["by_phase"]
            by_phase[self.phase] = max(by_phase.get(self.phase, 0.0), value)
        self.stall["last"][life] = value
        self.stall["worst_s"] = max(self.stall["worst_s"], value)

    async def scrape(self):
        life = self.server.starts  # which process answered: the server may restart meanwhile
        self.record_stall(life, await asyncio.to_thread(scrape_stall_seconds, self.server.port))

    def start_blocking(self):
        self.log_mark = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self.server.start()

    async def start_server(self, attempts=5):
        for attempt in range(attempts):
            try:
                await asyncio.to_thread(self.start_blocking)
                return True
            except RuntimeError:
                await asyncio.sleep(1)
        return False

    async def handle_exit(self, status, restart=True):
        """Records an exit we did not cause, with the end of the log, and restarts the server (as
        a supervisor would) so the remaining phases still run. Called with server_lock held."""
        at = time.monotonic()
        with open(self.log_path, errors="replace") as f:
            f.seek(self.log_mark)
            lines = [line.strip() for line in f if line.strip()]
        # Its last error says why, more often than its last line does; a last line that is not a
        # log line (glibc's "double free", std::terminate's message) says how it ended.
        errors = [line for line in lines if "[error]" in line or "[critical]" in line]
        reason = (errors or lines or ["(nothing logged)"])[-1]
        if lines and not lines[-1].startswith("[") and lines[-1] != reason:
            reason += f" / then: {lines[-1]}"
        self.exits.append({"phase": self.phase, "status": status, "reason": reason,
                           "log_tail": lines[-4:]})
        print(f"  server EXITED with status {status} during {self.phase}: {reason}", flush=True)
        if restart and not await self.start_server():
            self.fatal = f"the server exited during {self.phase} and did not restart"
        elif restart:
            print(f"  restarted in {round((time.monotonic() - at) * 1000)} ms", flush=True)

    async def monitor(self):
        while not self.fatal:
            await asyncio.sleep(0.05)
            async with self.server_lock:
                status = self.server.process.poll()
                if status is not None:
                    await self.handle_exit(status)

    async def scraper(self):
        """The stall maximum every second: a process that dies takes its maximum with it."""
        while True:
            await asyncio.sleep(1)
            await self.scrape()

    # Phases -------------------------------------------------------------------------------------

    async def lock_phase(self):
        record = {}
        holder = threading.Thread(target=operator_db.hold_write_lock,
                                  args=(self.db_path, self.args.lock_seconds, record), daemon=True)
        holder.start()
        deadline = time.monotonic() + self.args.lock_seconds + 30
        while "locked" not in record and "error" not in record and time.monotonic() < deadline:
            await self.pause(0.01)
        if "locked" in record:
            # Logging in is a write (the token); a healthy server answers it anyway, maybe late.
            await self.pause(min(1.0, self.args.lock_seconds / 2))
            self.lock["login"] = await self.login_probe()
        while holder.is_alive() and time.monotonic() < deadline:
            await self.pause(0.05)
        if "unlocked" not in record:
            failure = record.get("error", "did not finish")
            self.problems.append(f"lock: the second connection failed: {failure}")
            return
        self.lock.update(locked=record["locked"], unlocked=record["unlocked"],
                         held_s=round(record["unlocked"] - record["locked"], 1))
        self.lock["recovered_ms"] = await self.wait_backlog("lock")

    async def login_probe(self):
        started = time.monotonic()
        try:
            status, _, _ = await asyncio.to_thread(cc.login_blocking, self.server.port,
                                                   "chaos00", timeout=15)
        except OSError as e:
            status = type(e).__name__
        result = {"status": status, "ms": round((time.monotonic() - started) * 1000)}
        if status not in (200, 503):  # 503 busy comes with Retry-After: an answer, not a failure
            self.problems.append(f"lock: login of an existing user got {status} "
                                 f"after {result['ms']} ms")
        return result

    async def full_phase(self):
        if self.flag_missing:
            self.full["skipped"] = "the binary does not know --max-db-bytes"
            self.problems.append("full: not run, the binary does not know --max-db-bytes")
            return
        target = self.limit_bytes - self.args.full_headroom_kb * 1024
        before = await asyncio.to_thread(operator_db.size_bytes, self.db_path)
        after = await asyncio.to_thread(operator_db.fill_to, self.db_path, target)
        filled_at = time.monotonic()
        self.full.update(limit_bytes=self.limit_bytes, size_before=before, size_filled=after)
        print(f"  database {before / 2**20:.1f} MiB, ballast grown to {after / 2**20:.2f} MiB "
              f"of {self.limit_bytes / 2**20:.0f} MiB", flush=True)
        stats = self.phase_stats("full")
        while stats["refused_first"] is None:
            if time.monotonic() - filled_at > self.args.full_timeout:
                self.problems.append(f"full: no send refused {self.args.full_timeout:.0f} s after "
                                     f"filling to {after:,} of {self.limit_bytes:,} bytes")
                break
            await self.pause(0.05)
        else:
            self.full["fill_s"] = round(stats["refused_first"] - filled_at, 1)
            await self.pause(self.args.full_seconds)  # full for a while: reads must keep working
        await asyncio.to_thread(operator_db.drop_ballast, self.db_path)
        self.full["dropped"] = time.monotonic()
        self.full["recovered_ms"] = await self.wait_backlog("full")

    async def kill_phase(self):
        for k in range(self.args.kills):
            await self.pause(random.uniform(self.args.min_gap, self.args.max_gap))
            async with self.server_lock:
                status = self.server.process.poll()
                if status is not None:  # it died by itself just now: not one of our kills
                    await self.handle_exit(status)
                    continue
                await self.scrape()  # the stall maximum dies with the process
                self.server.kill9()
                down_at = time.monotonic()
                await asyncio.sleep(random.uniform(0, 0.3))
                if not await self.start_server():
                    self.fatal = "the server did not restart after kill -9"
                    raise Aborted(self.fatal)
                self.kill_log.append(round((time.monotonic() - down_at) * 1000))
            print(f"  kill {k + 1}/{self.args.kills}: restarted in {self.kill_log[-1]} ms",
                  flush=True)
        self.kill["recovered_ms"] = await self.wait_backlog("kill")

    # The run ------------------------------------------------------------------------------------

    async def run(self):
        self.start_blocking()
        names = [f"chaos{i:02d}" for i in range(self.args.clients)]
        per_client = self.args.rate / self.args.clients
        self.clients = [ChaosClient(name, await cc.login(self.server.port, name), per_client, self)
                        for name in names]
        private = await cc.create_private_room(self.server.port, self.clients[0].token,
                                               "chaos-room", names[1:])
        self.rooms = (1, private)  # ChaosClient.room_of: general and the private room in turn
        probe_script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chaos_probe.py")
        with open(self.probe_path, "w") as probe_out:
            prober = subprocess.Popen([sys.executable, probe_script, str(self.server.port)],
                                      stdout=probe_out)
        watchers = [asyncio.create_task(self.monitor()), asyncio.create_task(self.scraper())]
        tasks = [asyncio.create_task(c.run()) for c in self.clients]
        started = time.monotonic()
        try:
            await self.in_phase("warm-up", lambda: self.pause(self.args.warmup))
            for name in self.args.phases:
                await self.in_phase(name, getattr(self, f"{name}_phase"))
            await self.in_phase("cool-down", lambda: self.pause(self.args.cooldown))
        except Aborted as e:
            self.problems.append(f"aborted: {e}")
        self.phase = "drain"
        self.draining.set()
        deadline = time.monotonic() + 60
        while (len(self.acked_clients) < len(self.clients) and time.monotonic() < deadline
               and not self.fatal):
            await asyncio.sleep(0.1)
        self.all_acked.set()
        done, pending = await asyncio.wait(tasks, timeout=0.1 if self.fatal else 60)
        for task in pending:
            task.cancel()
        elapsed = time.monotonic() - started
        async with self.server_lock:  # no restart races the final stop
            for watcher in watchers:
                watcher.cancel()
            await self.scrape()
            status = self.server.process.poll()
            if status is None:
                status = self.server.terminate()
            else:
                await self.handle_exit(status, restart=False)
                status = "already exited"
        if prober.poll() is not None:
            self.problems.append(f"the latency probe exited early (status {prober.returncode})")
        prober.terminate()
        prober.wait(10)
        return self.verify(elapsed, status, len(pending))

    # Results ------------------------------------------------------------------------------------

    def probe_samples(self):
        samples = []
        with open(self.probe_path) as f:
            for line in f:
                fields = line.split()
                if len(fields) == 3:
                    samples.append((float(fields[0]), float(fields[1]), fields[2] == "ok"))
        return samples

    def probe_summary(self, samples, start, end):
        within = [(ms, ok) for t, ms, ok in samples if start <= t <= end]
        answered = sorted(ms for ms, ok in within if ok)
        return {"samples": len(answered), "lost": len(within) - len(answered),
                "p50_ms": round(answered[len(answered) // 2], 1) if answered else None,
                "max_ms": round(answered[-1], 1) if answered else None,
                "longest_lost_ms": round(max((ms for ms, ok in within if not ok), default=0))}

    def check_database(self):
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
        stored = {}
        misplaced = []
        by_name = {c.name: c for c in self.clients}
        for mid, user, cid, room in db.execute(
                "SELECT m.id, u.username, m.client_id, m.room_id FROM messages m "
                "JOIN users u ON u.id = m.user_id"):
            stored[(user, cid)] = mid
            if user in by_name and room != by_name[user].room_of(cid):
                misplaced.append(f"{user}/{cid} stored in room {room}, "
                                 f"sent to {by_name[user].room_of(cid)}")
        # (user, client_id) is UNIQUE, so a message stored twice shows as its text twice.
        twice = db.execute("SELECT text, count(*) FROM messages GROUP BY text HAVING count(*) > 1")
        duplicates = [f"text stored {n} times: {text}" for text, n in twice.fetchall()]
        db.close()
        return integrity, stored, duplicates + misplaced

    def verify(self, elapsed, exit_status, stuck):
        problems = self.problems
        if stuck:
            problems.append(f"{stuck} clients never finished")
        if exit_status not in (0, "already exited"):  # the latter is one of self.exits
            problems.append(f"server exit status {exit_status} after the final SIGTERM")
        for e in self.exits:
            problems.append(f"server exited (status {e['status']}) during {e['phase']}: "
                            f"{e['reason']}")
        integrity, stored, duplicates = self.check_database()
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:5]}")
        problems += duplicates[:10]
        all_ids = set(stored.values())
        lost = acked = unacked = 0
        for c in self.clients:
            problems += [f"{c.name}: {e}" for e in c.errors[:5]]
            for cid, mid in c.acked.items():
                acked += 1
                if stored.get((c.name, cid)) != mid:
                    lost += 1
                    problems.append(f"{c.name}/{cid}: acked as id {mid}, "
                                    f"database has {stored.get((c.name, cid))}")
            unacked += len(c.unacked)
            if c.unacked:
                problems.append(f"{c.name}: {len(c.unacked)} sends never acknowledged")
            if c.done and all_ids - c.seen:
                problems.append(f"{c.name}: {len(all_ids - c.seen)} stored messages never seen")

        samples = self.probe_samples()
        phases = []
        for name, start, end in self.windows:
            s = self.phase_stats(name)
            refused_s = (s["refused_last"] - s["refused_first"]) if s["refused_first"] else 0
            phases.append({"phase": name, "seconds": round(end - start, 1), "sent": s["sent"],
                           "acked": s["acked"], "refused": s["refused"],
                           "refused_for_s": round(refused_s, 1), "retries": s["retries"],
                           "max_ack_ms": s["max_ack_ms"],
                           "probe": self.probe_summary(samples, start, end),
                           "stall_ms": round(self.stall["by_phase"].get(name, 0) * 1000, 1)})
        lock_probe = None
        if "locked" in self.lock:
            lock_probe = self.probe_summary(samples, self.lock["locked"], self.lock["unlocked"])
        limit_ms = self.args.max_stall_ms
        worst_stall_ms = round(self.stall["worst_s"] * 1000, 1)
        if worst_stall_ms > limit_ms:
            problems.append(f"event loop stalled {worst_stall_ms} ms (limit {limit_ms} ms)")
        if lock_probe and (lock_probe["max_ms"] or 0) > limit_ms:
            problems.append(f"probe during the lock: worst round trip {lock_probe['max_ms']} ms "
                            f"(limit {limit_ms:.0f} ms)")
        if lock_probe and lock_probe["lost"]:
            problems.append(f"probe during the lock: {lock_probe['lost']} round trips unanswered "
                            f"(the connection dropped after {lock_probe['longest_lost_ms']} ms)")
        if not self.stall["scrapes"]:
            problems.append("GET /metrics never answered: is --metrics on supported?")
        by_phase = {p["phase"]: p for p in phases}
        lock_stats, full_stats = by_phase.get("lock", {}), by_phase.get("full", {})
        return {
            "clients": len(self.clients),
            "rate": self.args.rate,
            "phases": [p["phase"] for p in phases],
            "seconds": round(elapsed, 1),
            "sent": sum(c.sent for c in self.clients),
            "acked": acked,
            "stored": len(stored),
            "acked_lost": lost,
            "duplicates": len(duplicates),
            "never_acked": unacked,
            "server_exits": len(self.exits),
            "exits": self.exits,
            "final_exit_status": exit_status,
            "worst_stall_ms": worst_stall_ms,
            "stall_scrapes": self.stall["scrapes"],
            "lock": {"held_s": self.lock.get("held_s"), "refused": lock_stats.get("refused"),
                     "refused_for_s": lock_stats.get("refused_for_s"),
                     "max_ack_ms": lock_stats.get("max_ack_ms"), "probe": lock_probe,
                     "login": self.lock.get("login"),
                     "recovered_ms": self.lock.get("recovered_ms")} if "lock" in by_phase else None,
            "full": {"limit_bytes": self.full.get("limit_bytes"),
                     "skipped": self.full.get("skipped"), "fill_s": self.full.get("fill_s"),
                     "refused": full_stats.get("refused"),
                     "refused_for_s": full_stats.get("refused_for_s"),
                     "recovered_ms": self.full.get("recovered_ms")} if "full" in by_phase else None,
            "kills": len(self.kill_log),
            "max_restart_ms": max(self.kill_log, default=0),
            "kill_recovered_ms": self.kill.get("recovered_ms"),
            "errors_by_code": self.errors_by_code,
            "retries": sum(p["retries"] for p in phases),
            "resent_after_reconnect": sum(c.resent for c in self.clients),
            "reconnects": sum(c.connections for c in self.clients) - len(self.clients),
            "integrity": integrity[0] if integrity else "?",
            "per_phase": phases,
            "max_stall_ms": limit_ms,
            "problems": problems[:50],
            "problem_count": len(problems),
        }


def print_summary(r):
    print(f"\nchaos test: {r['clients']} clients at {r['rate']:.0f} msg/s for {r['seconds']} s; "
          f"{r['sent']} sent, {r['acked']} acked, {r['stored']} stored; acked lost "
          f"{r['acked_lost']}, duplicates {r['duplicates']}, never acked {r['never_acked']}; "
          f"server exits {r['server_exits']}, final exit status {r['final_exit_status']}; "
          f"worst loop stall {r['worst_stall_ms']} ms; {r['reconnects']} reconnects, "
          f"{r['retries']} retries, errors {r['errors_by_code'] or 'none'}; "
          f"integrity {r['integrity']}")
    print(f"{'phase':<10} {'s':>5} {'sent':>7} {'acked':>7} {'refused':>8} {'for s':>6} "
          f"{'retries':>8} {'slowest ack':>12} {'probe max':>10} {'lost':>5} {'stall':>9}")
    for p in r["per_phase"]:
        if p["phase"] == "full" and r["full"]["skipped"]:
            print(f"{'full':<10} not run: {r['full']['skipped']}")
            continue
        probe_max = p["probe"]["max_ms"]
        print(f"{p['phase']:<10} {p['seconds']:>5} {p['sent']:>7} {p['acked']:>7} "
              f"{p['refused']:>8} {p['refused_for_s']:>6} {p['retries']:>8} "
              f"{p['max_ack_ms']:>9} ms {'-' if probe_max is None else probe_max:>7} ms "
              f"{p['probe']['lost']:>5} {p['stall_ms'] or '':>6} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.environ.get("CHATTERBOX_BINARY", cc.DEFAULT_BINARY))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=300, help="messages per second, all clients")
    parser.add_argument("--phases", default=",".join(PHASES),
                        help="disruptions to run, in this order (warm-up and cool-down always run)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds")
    parser.add_argument("--lock-seconds", type=float, default=5)
    parser.add_argument("--db-limit-mb", type=int, default=16, help="--max-db-bytes, in MiB")
    parser.add_argument("--full-headroom-kb", type=int, default=64,
                        help="room left below the limit for the clients to fill (at 300/s: ~2 s)")
    parser.add_argument("--full-seconds", type=float, default=3,
                        help="how long to keep the database full once sends are refused")
    parser.add_argument("--full-timeout", type=float, default=30,
                        help="seconds to wait for the first refusal after filling")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--min-gap", type=float, default=1.0, help="seconds between kills, at least")
    parser.add_argument("--max-gap", type=float, default=3.0)
    parser.add_argument("--cooldown", type=float, default=3, help="seconds")
    parser.add_argument("--recover-timeout", type=float, default=30,
                        help="seconds for the sends pending after a disruption to be acknowledged")
    parser.add_argument("--max-stall-ms", type=float, default=1000,
                        help="worst event-loop stall or lock-time probe round trip allowed")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    args.phases = [p for p in args.phases.split(",") if p]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases {sorted(unknown)}; choose from {','.join(PHASES)}")

    workdir = tempfile.mkdtemp(prefix="chatterbox-chaos-")
    result = asyncio.run(ChaosTest(args, workdir).run())
    print_summary(result)
    cc.report_and_exit(result, workdir, args.keep)


if __name__ == "__main__":
    main()
