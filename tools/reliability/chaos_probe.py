#!/usr/bin/python3
"""The chaos test's latency probe: one user timing `history {limit: 1}` round trips, one at a time,
every 50 ms, for as long as it runs (the chaos test terminates it). Reconnects when the server
goes away. Prints one line per probe: `<monotonic start> <ms> ok|lost` (lost: the connection
dropped or nothing came back in time, and ms is how long it waited).

  chaos_probe.py PORT
A child process of its own so that the load clients' JSON parsing, which shares one interpreter
lock, does not show up as server latency. time.monotonic() is CLOCK_MONOTONIC, the same clock in
every process, so the parent can place each line in its phases."""

import asyncio
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chatterbox_client as cc  # noqa: E402

INTERVAL = 0.05
TIMEOUT = 30  # longer than any stall worth measuring; a dead server drops the connection sooner


async def probe(ws):
    # Protocol 2 sends only `hello` on connect; every `history` after it is ours.
    while True:
        raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
        if any(e.get("type") == "hello" for e in cc.events(raw)):
            break
    while True:
        started = time.monotonic()
        try:
            await ws.send(json.dumps({"type": "history", "room": 1, "limit": 1}))
            answered = False
            while not answered:
                raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
                # Cheap filter first: the probe also receives every broadcast message.
                answered = '"history"' in raw and any(e.get("type") == "history"
                                                      for e in cc.events(raw))
        except cc.CONNECTION_ERRORS:
            print(f"{started:.4f} {(time.monotonic() - started) * 1000:.2f} lost", flush=True)
            raise
        print(f"{started:.4f} {(time.monotonic() - started) * 1000:.2f} ok", flush=True)
        await asyncio.sleep(INTERVAL)


async def main(port):
    token = await cc.login(port, "chaos-probe")
    while True:  # ended by the parent's SIGTERM
        try:
            async with cc.connect(port, token) as ws:
                await probe(ws)
        except cc.CONNECTION_ERRORS:
            await asyncio.sleep(0.1)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
