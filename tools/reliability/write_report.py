#!/usr/bin/python3
"""Turns the outputs report.sh collected (RESULT lines, libFuzzer logs) into docs/reliability.md.

  write_report.py RESULTS_DIR > docs/reliability.md"""

import json
import os
import re
import sys


def result_line(path):
    if not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        lines = [line for line in f if line.startswith("RESULT ")]
    return json.loads(lines[-1][len("RESULT "):]) if lines else None


def read(path, default=""):
    return open(path, errors="replace").read().strip() if os.path.exists(path) else default


def fuzz_harnesses(results):
    """The harnesses that left a log in this run (fuzz/run.sh names them)."""
    return sorted(f[:-4] for f in os.listdir(results) if f.startswith("fuzz_") and f.endswith(".log"))


def fuzz_rows(results):
    rows = []
    for name in fuzz_harnesses(results):
        log = read(os.path.join(results, f"{name}.log"))
        if not log:
            continue
        stat = dict(re.findall(r"^stat::(\w+):\s+(\d+)", log, re.M))
        done = re.findall(r"^#\d+\s+DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)/", log, re.M)
        cov, ft, corp = done[-1] if done else ("?", "?", "?")
        crashed = bool(re.search(r"ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:", log))
        rows.append(f"| `{name}` | {int(stat.get('number_of_executed_units', 0)):,} | "
                    f"{stat.get('average_exec_per_sec', '?')} | {cov} / {ft} | {corp} | "
                    f"{stat.get('peak_rss_mb', '?')} | {'**yes**' if crashed else 'none'} |")
    return rows


def kib(v):
    return f"{v / 1024:.1f} MiB"


def ms(v):
    return "–" if v is None else f"{v:,} ms"


def chaos_section(chaos):
    """The chaos run's section: what was done, the numbers, the per-phase table and the result."""
    out = []
    w = out.append
    w("## Chaos: database locked, database full, `kill -9`, under load")
    w("")
    if not chaos:
        return out + ["Not run.", ""]
    lock, full = chaos.get("lock"), chaos.get("full")
    held = lock["held_s"] if lock and lock["held_s"] else "?"
    limit = full["limit_bytes"] if full and full["limit_bytes"] else "N"
    w(f"{chaos['clients']} clients sent about {chaos['rate']:.0f} messages/s in total to one "
      f"release server (`--metrics on`) through the phases {', '.join(chaos['phases'])}. "
      "**lock**: a second SQLite connection held the write lock (`BEGIN IMMEDIATE`, then "
      f"`COMMIT` {held} s later), as an operator's "
      "`sqlite3` shell or a backup tool would. **full**: the server ran with `--max-db-bytes "
      f"{limit}`; a ballast table grew the database to just "
      "under the limit, the clients' messages filled the rest, the database stayed full for a "
      "while, then the ballast was dropped. **kill**: SIGKILL and restart on the same file and "
      "port. Clients retried refused sends (`error internal`) with the same `client_id` after "
      "a backoff (0.1 s doubling up to 2 s, so recovery times include up to 2 s of waiting), "
      "reconnected, resent what was unacknowledged and resumed with `sync`; a separate process "
      "timed `history` round trips every 50 ms; `GET /metrics` was scraped every second and "
      "before each kill. Run: `tools/reliability/chaos_test.py` (`--phases lock,full,kill`).")
    w("")
    exits = "; ".join(f"status {e['status']} during {e['phase']}" for e in chaos["exits"])
    w("| | |")
    w("|---|---|")
    w(f"| duration | {chaos['seconds']} s |")
    w(f"| messages sent / acknowledged / stored | {chaos['sent']:,} / {chaos['acked']:,} / "
      f"{chaos['stored']:,} |")
    w(f"| acknowledged messages lost (missing or under another id) | {chaos['acked_lost']} |")
    w(f"| messages stored twice | {chaos['duplicates']} |")
    w(f"| sends never acknowledged | {chaos['never_acked']} |")
    w(f"| unexpected server exits | {chaos['server_exits']}{f' ({exits})' if exits else ''} |")
    w(f"| exit status after the final SIGTERM | {chaos['final_exit_status']} |")
    if lock:
        probe = lock["probe"] or {}
        login = lock["login"] or {}
        w(f"| locked: sends refused (`error internal`) / for | {lock['refused']:,} / "
          f"{lock['refused_for_s']} s |")
        w(f"| locked: slowest acknowledgement of a send made during the lock | "
          f"{ms(lock['max_ack_ms'])} |")
        w(f"| locked: client round trip (`history`): worst / p50 / answered / unanswered | "
          f"{ms(probe.get('max_ms'))} / {ms(probe.get('p50_ms'))} / {probe.get('samples', '–')} / "
          f"{probe.get('lost', '–')} |")
        w(f"| locked: login of an existing user | {login.get('status', '–')} in "
          f"{ms(login.get('ms'))} |")
        w(f"| locked: every pending send acknowledged after `COMMIT` within | "
          f"{ms(lock['recovered_ms'])} |")
    if full:
        if full.get("skipped"):
            w(f"| full | not run: {full['skipped']} |")
        else:
            w(f"| full: sends refused (`error internal`) / writes refused for | "
              f"{full['refused'] or 0:,} / {full['refused_for_s']} s |")
            w(f"| full: every refused send stored after dropping the ballast within | "
              f"{ms(full['recovered_ms'])} |")
    w(f"| worst event-loop stall (`chatterbox_event_loop_max_stall_seconds`, all server "
      f"processes) | {ms(chaos['worst_stall_ms'])} |")
    w(f"| retries of refused sends / resent after a reconnect / reconnects | "
      f"{chaos['retries']:,} / {chaos['resent_after_reconnect']:,} / {chaos['reconnects']:,} |")
    w(f"| kills / slowest restart | {chaos['kills']} / {ms(chaos['max_restart_ms'])} |")
    codes = ", ".join(f"`{code}` {n:,}" for code, n in chaos["errors_by_code"].items())
    w(f"| errors by code | {codes or 'none'} |")
    w(f"| `PRAGMA integrity_check` | {chaos['integrity']} |")
    w("")
    w("| phase | s | sent | acked | refused | slowest ack | `history` p50 / worst | new loop-stall maximum |")
    w("|---|---|---|---|---|---|---|---|")
    for p in chaos["per_phase"]:
        if p["phase"] == "full" and full and full.get("skipped"):
            w("| full | not run | | | | | | |")
            continue
        probe = p["probe"]
        lost = f" ({probe['lost']} unanswered)" if probe["lost"] else ""
        stall = ms(p["stall_ms"]) if p["stall_ms"] else "–"
        w(f"| {p['phase']} | {p['seconds']} | {p['sent']:,} | {p['acked']:,} | {p['refused']:,} | "
          f"{ms(p['max_ack_ms'])} | {ms(probe['p50_ms'])} / {ms(probe['max_ms'])}{lost} | {stall} |")
    w("")
    w("The stall metric is the worst since the server process started, so a phase shows one only "
      "when it set a new worst for its process; round trips unanswered during `kill` are the "
      "probes in flight when the server was killed.")
    w("")
    w("Result: " + (f"**held**: no acknowledged message lost, no server exit, worst loop stall "
                    f"{chaos['worst_stall_ms']} ms." if not chaos["problem_count"]
                    else "**FAILED**: " + "; ".join(chaos["problems"][:10])))
    w("")
    return out


def main():
    results = sys.argv[1]
    meta = json.loads(read(os.path.join(results, "meta.json"), "{}"))
    crash = result_line(os.path.join(results, "crash.txt"))
    soak = result_line(os.path.join(results, "soak.txt"))
    flood = result_line(os.path.join(results, "flood.txt"))
    chaos = result_line(os.path.join(results, "chaos.txt"))
    out = []
    w = out.append

    w("# Reliability report")
    w("")
    w("What was tried against Chatterbox, how much, and what held. Generated by "
      "`tools/reliability/report.sh` (do not edit by hand; rerun it). The CI-sized versions run "
      "in `tools/reliability/ci.sh`.")
    w("")
    w(f"- Commit `{meta.get('commit', '?')}`, {meta.get('date', '?')}, {meta.get('cpus', '?')} CPUs "
      f"({meta.get('machine', '?')}); load average at the start {meta.get('load', '?')}.")
    w(f"- Release binary `{meta.get('release', '?')}`, ASan+UBSan binary `{meta.get('asan', '?')}`.")
    w("")

    w("## Fuzzing (libFuzzer, ASan + UBSan)")
    w("")
    harnesses = len(fuzz_harnesses(results))
    w(f"Each harness ran {meta.get('fuzz_seconds', '?')} s of wall-clock time from the seed corpus "
      f"in `fuzz/corpus/`, all {harnesses} at once on the same machine (so each had about "
      f"{2 / max(harnesses, 1):.2f} of a core). Harnesses also assert the parsers' promises "
      "(accepted text is trimmed, within 4000 code points and free of control characters; frames "
      "over the field or depth limit are refused; parsed cookie/bearer values point into their "
      "header; the HTTP handler answers exactly once with a valid status; the frame reader gives "
      "the same events whether fed at once or a few frames per turn; JSON sizes are computed "
      "exactly; forwarded addresses resolve only through trusted hops; the login throttle stays "
      "bounded and never blocks an address for another's failures), so a broken invariant counts "
      "as a crash. Run: `fuzz/run.sh [seconds]`.")
    w("")
    w("| harness | executions | exec/s | coverage (edges / features) | corpus | peak RSS MiB | crashes |")
    w("|---|---|---|---|---|---|---|")
    rows = fuzz_rows(results)
    out.extend(rows or ["| (no fuzz logs) | | | | | | |"])
    w("")
    w(f"Result: {read(os.path.join(results, 'fuzz.summary'), 'not run')}")
    w("")

    w("## Crash durability (`kill -9`)")
    w("")
    if crash:
        w(f"{crash['clients']} clients sent about 500 messages/s in total to the release binary; the "
          f"server was killed with SIGKILL {crash['kills']} times at random moments (1–4 s apart) "
          f"and restarted on the same database and port. Clients reconnected, resent every "
          f"unacknowledged message with its original `client_id`, and resumed with "
          f"`sync {{since: highest seq seen}}`. "
          + ("Half of the messages went to `general`, half to a private room of all the clients "
             "(protocol 2); each must be stored in its room. " if len(crash.get("rooms", [])) > 1
             else "")
          + "Run: `tools/reliability/crash_test.py --kills N`.")
        w("")
        w("| | |")
        w("|---|---|")
        w(f"| duration | {crash['seconds']} s |")
        w(f"| messages sent / acknowledged / stored | {crash['sent']:,} / {crash['acked']:,} / {crash['stored']:,} |")
        w(f"| acknowledged messages missing or under another id | "
          f"{sum('acked as id' in p for p in crash['problems'])} |")
        w(f"| messages stored twice | {sum('twice' in p or 'times' in p for p in crash['problems'])} |")
        if len(crash.get("rooms", [])) > 1:
            w(f"| messages stored in another room than they were sent to | "
              f"{sum('stored in room' in p for p in crash['problems'])} |")
        w(f"| resent after a reconnect (answered with the original ack when stored) | {crash['resent_after_reconnect']:,} |")
        w(f"| reconnects | {crash['reconnects']:,} |")
        w(f"| slowest restart (kill to listening) | {crash['max_restart_ms']} ms |")
        w(f"| `PRAGMA integrity_check` | {crash['integrity']} |")
        w(f"| clients that missed a stored message after resuming | "
          f"{sum('never seen' in p for p in crash['problems'])} |")
        w("")
        w("Result: " + ("**held**: no lost, duplicated or unseen message." if not crash["problem_count"]
                        else "**FAILED**: " + "; ".join(crash["problems"][:10])))
    else:
        w("Not run.")
    w("")

    w("## Soak")
    w("")
    if soak:
        w(f"{soak['clients']} users on the {'ASan+UBSan' if soak['asan'] else 'release'} binary "
          f"(`{soak['binary']}`) for {soak['duration_s']:.0f} s: each comes online for an "
          f"exponentially distributed while (mean {soak['session_s']:.0f} s), types and sends, "
          f"reads history or marks messages seen about every {soak['message_interval_s']:.0f} s, "
          f"then leaves ({soak['abort_share']:.0%} of the time by dropping the TCP connection "
          f"without a close handshake) and comes back within {soak['away_s']:.0f} s, resuming "
          f"with `sync`. ASan ran with a "
          f"16 MiB quarantine so freed memory it holds back does not read as growth. "
          f"Run: `tools/reliability/soak.py --duration S`.")
        w("")
        w(f"- {soak['connects']:,} WebSocket connections ({soak['aborted_connections']:,} dropped "
          f"without a close), {soak['messages_sent']:,} messages sent, "
          f"{soak.get('room_commands', 0):,} room commands (DMs opened, private rooms created, "
          f"members added, rooms left), {soak['frames_received']:,} frames received by the clients; client-side errors: "
          f"{soak['client_errors'] or 'none'}.")
        b, a = soak["baseline"], soak["after"]
        w(f"- RSS: {kib(b['rss_kib'])} idle before, peak {kib(soak['peak_rss_kib'])}, "
          f"{kib(a['rss_kib'])} after the clients left; the second half of the run peaked "
          f"{soak['rss_growth_second_half']:+.1%} relative to the first (after 20% warm-up).")
        w(f"- Open file descriptors: {b['fds']} before, peak {soak['peak_fds']}, {a['fds']} after.")
        leaks = soak["leaks"]
        w(f"- LeakSanitizer at exit (SIGTERM, exit status {soak['exit_status']}): "
          + ("not an ASan build" if leaks is None else
             ("no leaks" if not leaks["leaks"] else f"**{leaks['leaks']} leaks**: {leaks['summary']}"))
          + ".")
        w("")
        w("| t (s) | RSS | fds | connections so far | messages so far |")
        w("|---|---|---|---|---|")
        samples = soak["samples"]
        step = max(1, len(samples) // 20)
        for s in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
            w(f"| {s['t']} | {kib(s['rss_kib'])} | {s['fds']} | {s['connects']:,} | {s['sent']:,} |")
        w("")
        w("Result: " + ("**held**: RSS levels off, fds return to baseline, no leaks."
                        if not soak["problems"] else "**FAILED**: " + "; ".join(soak["problems"])))
    else:
        w("Not run.")
    w("")

    w("## Login flood vs chat latency")
    w("")
    if flood:
        q, f = flood["quiet"], flood["flood"]
        w(f"The release binary with its default argon2 cost; one WebSocket client timed "
          f"`history {{before: 1, limit: 1}}` round trips (one at a time, every 20 ms) before and "
          f"while {flood['logins_concurrent']} clients logged in concurrently and continuously. "
          f"Run: `tools/reliability/login_flood.py`.")
        w("")
        w("| | samples | p50 | p99 | max |")
        w("|---|---|---|---|---|")
        w(f"| quiet | {q['samples']} | {q['p50_ms']} ms | {q['p99_ms']} ms | {q['max_ms']} ms |")
        w(f"| {flood['logins_concurrent']} concurrent logins | {f['samples']} | {f['p50_ms']} ms | "
          f"{f['p99_ms']} ms | {f['max_ms']} ms |")
        w("")
        w(f"Login answers during the flood (HTTP status: count): {flood['login_statuses']}.")
        w("")
        w(f"Result: p99 {f['p99_ms']} ms against a target of {flood['target_p99_ms']:.0f} ms: "
          + ("**held**." if f["p99_ms"] < flood["target_p99_ms"] else "**missed**."))
    else:
        w("Not run.")
    w("")
    out.extend(chaos_section(chaos))
    w("## How to run")
    w("")
    w("| what | command | CI version (`tools/reliability/ci.sh`) |")
    w("|---|---|---|")
    w("| everything above, rewriting this file | `tools/reliability/report.sh` | |")
    w("| fuzzers (clang, libFuzzer, built in `build-asan/`) | `fuzz/run.sh 600` | `fuzz/run.sh 60`, all at once |")
    w("| crash durability | `tools/reliability/crash_test.py --kills 20` | `--kills 3` |")
    w("| soak | `tools/reliability/soak.py --duration 600` | `--duration 60` |")
    w("| login flood | `tools/reliability/login_flood.py` | not in CI (timing on shared runners is noise) |")
    w("| chaos (lock, full, kill) | `tools/reliability/chaos_test.py --warmup 10 --full-seconds 10 "
      "--kills 5 --cooldown 10` | `--warmup 2 --full-seconds 2 --kills 2 --max-gap 2 --cooldown 2` |")
    w("")
    w("The Python tools use Debian's `/usr/bin/python3` with `python3-websockets` "
      "(`tools/reliability/deps.sh` installs it). A crashing fuzz input is saved in "
      "`build-asan/fuzz/artifacts/`; replay it with `build-asan/<harness> <file>`. The crash test, "
      "soak and chaos run keep their database and server log in a temporary directory when they fail and print "
      "its path.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
