#!/usr/bin/python3
"""Bounded soak: many users chat at a human rate for a fixed time, connecting and disconnecting
(some drop the TCP connection without a close handshake), while the server's RSS and open file
descriptors are sampled from /proc. Protocol 2: besides `general` they open DMs, create private
rooms with a few others, add people, leave rooms, and post, type and read in all of them. At the end the server gets SIGTERM; an ASan build then prints
LeakSanitizer's findings, which are counted here.

Pass: RSS levels off (the peak of the last half of the run, after warm-up, is within
--rss-tolerance of the first half's), fds return to their baseline once the clients are gone,
the server exits 0 and LeakSanitizer (when present) reports nothing.

  soak.py [--duration 600] [--clients 500] [--binary build-asan/chatterbox]
Prints a table and one JSON line (prefix RESULT) for report.sh; exits 1 when a check fails."""

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chatterbox_client as cc  # noqa: E402

DEFAULT_BINARY = os.path.join(os.path.dirname(cc.DEFAULT_BINARY), "..", "build-asan", "chatterbox")
# A small quarantine: ASan's default (256 MiB of freed memory held back) would show up as RSS
# growth that says nothing about the server.
ASAN_OPTIONS = "detect_leaks=1:quarantine_size_mb=16:malloc_context_size=10:exitcode=23"


class Totals:
    def __init__(self):
        self.connects = 0
        self.aborted = 0
        self.sent = 0
        self.frames_in = 0
        self.room_commands = 0
        self.errors = {}
        self.server_errors = {}  # error frames by code (not_found after leaving a room is normal)

    def error(self, what):
        self.errors[what] = self.errors.get(what, 0) + 1


class User:
    """A person in the chat: comes online for a while, types, sends now and then, reads history,
    marks messages seen, leaves (sometimes by losing the network) and comes back later."""

    def __init__(self, name, token, args, totals, stop):
        self.name, self.token, self.args, self.totals, self.stop = name, token, args, totals, stop
        self.last_seq = None
        self.last_id = {}  # room -> the id of our latest message there (for `seen`)
        self.rooms = {1: "open"}  # room id -> kind, from hello and `room` frames
        self.sent = 0
        self.created = 0

    def learn_rooms(self, event):
        kind = event.get("type")
        if kind == "hello":
            self.rooms = {r["id"]: r["kind"] for r in event.get("rooms", [])} or {1: "open"}
        elif kind == "room":
            self.rooms[event["room"]["id"]] = event["room"]["kind"]
        elif kind == "room_removed":
            self.rooms.pop(event["room"], None)
            self.last_id.pop(event["room"], None)

    async def receive(self, ws):
        async for raw in ws:
            self.totals.frames_in += 1
            # Parsing every fan-out frame would make this process the bottleneck; only acks (for
            # `seen`) and room changes (a room object has a "kind") are read.
            if '"ack"' in raw or '"kind"' in raw or '"room_removed"' in raw or '"error"' in raw:
                for event in cc.events(raw):
                    if event.get("type") == "ack":
                        self.last_id[event.get("room", 1)] = event["id"]
                    elif event.get("type") == "error":
                        code = event.get("code")
                        self.totals.server_errors[code] = self.totals.server_errors.get(code, 0) + 1
                    else:
                        self.learn_rooms(event)

    def others(self, count):
        """Some other users of the soak (all of them logged in before it starts)."""
        names = {f"soak{random.randrange(self.args.clients):03d}" for _ in range(count)}
        names.discard(self.name)
        return sorted(names)

    async def room_command(self, ws):
        """Now and then a room changes: a DM opened, a private room created, people added, a
        private room left."""
        self.totals.room_commands += 1
        roll = random.random()
        private = [r for r, kind in self.rooms.items() if kind == "private"]
        if roll < 0.4:
            frame = {"type": "open_dm", "users": self.others(random.randint(1, 3)),
                     "client_id": f"{self.name}-dm-{self.created}"}
        elif roll < 0.7 or not private:
            frame = {"type": "create_room", "kind": "private",
                     "name": f"{self.name}-room-{self.created}-{random.randrange(10**6)}",
                     "users": self.others(4), "client_id": f"{self.name}-room-{self.created}"}
        elif roll < 0.85:
            frame = {"type": "add_members", "room": random.choice(private),
                     "users": self.others(2)}
        else:
            frame = {"type": "leave_room", "room": random.choice(private)}
        self.created += 1
        await ws.send(json.dumps(frame))

    async def pause(self, seconds):
        """Sleeps, but wakes at once when the soak ends; True when it has."""
        try:
            await asyncio.wait_for(self.stop.wait(), max(0.0, seconds))
            return True
        except asyncio.TimeoutError:
            return False

    async def chat(self, ws, until):
        while time.monotonic() < until and not self.stop.is_set():
            if await self.pause(min(random.expovariate(1 / self.args.message_interval),
                                    until - time.monotonic())):
                return
            if time.monotonic() >= until:
                return
            roll = random.random()
            # Half of what happens is in `general`, the rest in the user's other rooms.
            room = 1 if random.random() < 0.5 else random.choice(list(self.rooms))
            if roll < 0.1:
                await ws.send(json.dumps({"type": "history", "room": room, "limit": 20}))
            elif roll < 0.2 and self.last_id:
                seen_room = random.choice(list(self.last_id))
                await ws.send(json.dumps({"type": "seen", "room": seen_room,
                                          "id": self.last_id[seen_room]}))
            elif roll < 0.25:
                await self.room_command(ws)
            else:
                await ws.send(json.dumps({"type": "typing", "room": room, "active": True}))
                if await self.pause(random.uniform(0.5, 2)):
                    return
                self.sent += 1
                self.totals.sent += 1
                text = f"{self.name} says hello #{self.sent} " + "lorem ipsum " * random.randint(0, 8)
                if random.random() < 0.1:
                    text += f" @{self.others(1)[0] if self.others(1) else 'here'}"
                await ws.send(json.dumps({"type": "send", "room": room,
                                          "client_id": f"{self.name}-{self.sent}",
                                          "text": text}))

    async def session(self, port):
        async with cc.connect(port, self.token) as ws:
            self.totals.connects += 1
            hello = next(e for e in cc.events(await asyncio.wait_for(ws.recv(), 30))
                         if e.get("type") == "hello")
            self.learn_rooms(hello)
            if self.last_seq is not None:
                await ws.send(json.dumps({"type": "sync", "since": self.last_seq}))
            self.last_seq = hello["seq"]
            # Presence as the web client asks for it: the people it shows.
            await ws.send(json.dumps({"type": "watch", "users": [
                f"soak{random.randrange(self.args.clients):03d}" for _ in range(20)]}))
            receiver = asyncio.create_task(self.receive(ws))
            try:
                stay = random.expovariate(1 / self.args.session_seconds)
                await self.chat(ws, time.monotonic() + stay)
            finally:
                receiver.cancel()
            if random.random() < self.args.abort_share and not self.stop.is_set():
                self.totals.aborted += 1
                ws.transport.abort()  # a lost network: no close frame, no FIN handshake

    async def run(self, port, start_delay):
        await self.pause(start_delay)
        while not self.stop.is_set():
            try:
                await self.session(port)
            except cc.CONNECTION_ERRORS as e:
                code = getattr(e, "code", None) or getattr(e, "status_code", None)
                self.totals.error(type(e).__name__ + (f" {code}" if code else ""))
                await self.pause(1)
            await self.pause(random.uniform(0, self.args.away_seconds))


def levels_off(samples, tolerance):
    """(ok, growth): compares the peak RSS of the second half of the run with the first half's,
    after dropping the first 20% as warm-up (connections ramping, SQLite cache filling)."""
    rss = [s["rss_kib"] for s in samples]
    steady = rss[len(rss) // 5:]
    if len(steady) < 4:
        return True, 0.0
    first, second = steady[: len(steady) // 2], steady[len(steady) // 2:]
    growth = max(second) / max(first) - 1
    return growth <= tolerance, growth


def leak_summary(log_path, mark):
    with open(log_path, "rb") as f:
        f.seek(mark)
        text = f.read().decode(errors="replace")
    if "LeakSanitizer" not in text:
        return {"leaks": 0, "summary": ""}
    summary = re.search(r"SUMMARY: AddressSanitizer: .*", text)
    return {"leaks": len(re.findall(r"^(Direct|Indirect) leak", text, re.M)),
            "summary": summary.group(0) if summary else "LeakSanitizer reported"}


def is_asan(binary):
    with open(binary, "rb") as f:
        while chunk := f.read(1 << 22):
            if b"__asan_init" in chunk:
                return True
    return False


async def soak(args, workdir):
    env = dict(os.environ, ASAN_OPTIONS=ASAN_OPTIONS)
    extra = ["--argon2-ops", "1", "--argon2-mem-kib", "8"]
    if "--login-attempts-per-minute" in cc.supported_flags(args.binary):
        extra += ["--login-attempts-per-minute", "1000000"]  # 500 logins from one address
    server = cc.Server(args.binary, os.path.join(workdir, "soak.db"),
                       os.path.join(workdir, "server.log"), extra, env)
    server.start()
    tokens = []
    for i in range(args.clients):
        tokens.append(await cc.login(server.port, f"soak{i:03d}"))
    await asyncio.sleep(1)
    baseline = {"rss_kib": cc.rss_kib(server.pid), "fds": cc.open_fds(server.pid)}

    totals, stop = Totals(), asyncio.Event()
    ramp = min(30.0, args.duration / 10)
    users = [User(f"soak{i:03d}", t, args, totals, stop) for i, t in enumerate(tokens)]
    tasks = [asyncio.create_task(u.run(server.port, random.uniform(0, ramp))) for u in users]

    samples, started = [], time.monotonic()
    every = max(1.0, args.duration / 60)
    while (elapsed := time.monotonic() - started) < args.duration:
        await asyncio.sleep(min(every, args.duration - elapsed))
        sample = {"t": round(time.monotonic() - started), "rss_kib": cc.rss_kib(server.pid),
                  "fds": cc.open_fds(server.pid), "connects": totals.connects, "sent": totals.sent}
        samples.append(sample)
        print(f"  t={sample['t']:>4}s rss={sample['rss_kib'] / 1024:7.1f} MiB fds={sample['fds']:>5} "
              f"connects={sample['connects']} sent={sample['sent']}", flush=True)

    stop.set()
    _, stuck = await asyncio.wait(tasks, timeout=30)
    for task in stuck:
        task.cancel()
    # Give the server time to notice what the clients dropped, polling until fds are back.
    settle_started = time.monotonic()
    while (time.monotonic() - settle_started < args.settle_seconds
           and cc.open_fds(server.pid) > baseline["fds"]):
        await asyncio.sleep(0.5)
    after = {"rss_kib": cc.rss_kib(server.pid), "fds": cc.open_fds(server.pid),
             "settle_s": round(time.monotonic() - settle_started, 1),
             "sockets": cc.socket_states(server.pid)}
    with open(server.log_path, "rb") as f:
        mark = f.seek(0, 2)
    exit_status = server.terminate(timeout=60)
    leaks = leak_summary(server.log_path, mark) if is_asan(args.binary) else None

    ok_rss, growth = levels_off(samples, args.rss_tolerance)
    problems = []
    if not ok_rss:
        problems.append(f"RSS still growing: +{growth:.1%} from the first to the second half")
    if after["fds"] > baseline["fds"]:
        problems.append(f"fds {baseline['fds']} before, {after['fds']} after "
                        f"{after['settle_s']} s without clients (sockets: {after['sockets']})")
    if leaks and leaks["leaks"]:
        problems.append(f"LeakSanitizer: {leaks['summary']}")
    if exit_status != 0:
        problems.append(f"server exit status {exit_status} after SIGTERM")
    # Races of a chatting crowd (a room left while someone posts in it) answer not_found or
    # forbidden; the server failing to serve a request never happens in a soak.
    for code in ("internal", "invalid_json", "unknown_type", "invalid_field"):
        if totals.server_errors.get(code):
            problems.append(f"{totals.server_errors[code]} error frames '{code}'")
    return {
        "binary": os.path.relpath(args.binary),
        "asan": leaks is not None,
        "duration_s": args.duration,
        "clients": args.clients,
        "message_interval_s": args.message_interval,
        "session_s": args.session_seconds,
        "away_s": args.away_seconds,
        "abort_share": args.abort_share,
        "connects": totals.connects,
        "aborted_connections": totals.aborted,
        "messages_sent": totals.sent,
        "room_commands": totals.room_commands,
        "frames_received": totals.frames_in,
        "client_errors": totals.errors,
        "server_error_frames": totals.server_errors,
        "clients_stuck_at_end": len(stuck),
        "baseline": baseline,
        "after": after,
        "peak_rss_kib": max(s["rss_kib"] for s in samples),
        "peak_fds": max(s["fds"] for s in samples),
        "rss_growth_second_half": round(growth, 4),
        "samples": samples,
        "leaks": leaks,
        "exit_status": exit_status,
        "problems": problems,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.environ.get("CHATTERBOX_BINARY", DEFAULT_BINARY))
    parser.add_argument("--duration", type=float, default=600, help="seconds of chatting")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--message-interval", type=float, default=20,
                        help="mean seconds between one user's actions while online")
    parser.add_argument("--session-seconds", type=float, default=60,
                        help="mean time a user stays connected")
    parser.add_argument("--away-seconds", type=float, default=10,
                        help="longest time a user stays away before reconnecting")
    parser.add_argument("--abort-share", type=float, default=0.1,
                        help="share of disconnects that drop TCP without a close handshake")
    parser.add_argument("--rss-tolerance", type=float, default=0.10)
    parser.add_argument("--settle-seconds", type=float, default=10,
                        help="how long fds may take to return to baseline after the clients left")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)

    workdir = tempfile.mkdtemp(prefix="chatterbox-soak-")
    print(f"soak: {args.clients} clients for {args.duration:.0f}s against {args.binary}", flush=True)
    result = asyncio.run(soak(args, workdir))
    b, a = result["baseline"], result["after"]
    print(f"soak: {result['connects']} connections ({result['aborted_connections']} dropped "
          f"without close), {result['messages_sent']} messages, {result['room_commands']} room "
          f"commands; RSS {b['rss_kib'] / 1024:.1f} MiB "
          f"idle -> peak {result['peak_rss_kib'] / 1024:.1f} MiB -> {a['rss_kib'] / 1024:.1f} MiB "
          f"after; fds {b['fds']} -> peak {result['peak_fds']} -> {a['fds']}; "
          f"leaks {result['leaks']['leaks'] if result['leaks'] else 'n/a (not an ASan build)'}; "
          f"client errors {result['client_errors'] or 'none'}; error frames "
          f"{result['server_error_frames'] or 'none'}")
    result.setdefault("problem_count", len(result["problems"]))
    cc.report_and_exit(result, workdir, args.keep)


if __name__ == "__main__":
    main()
