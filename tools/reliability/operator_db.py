"""What an operator or a tool does to a running server's database from a second SQLite
connection, for chaos_test.py: hold the write lock (a sqlite3 shell in a transaction, a backup
tool), fill the file up to a size (a ballast table of blobs), free the space again, read its size.
All blocking; the chaos test runs them in threads."""

import sqlite3
import time

CHUNK = 256 * 1024  # the largest ballast blob; the last ones are smaller, to land on the target


def connect(db_path):
    # isolation_level=None: the statements below are the transactions, the module adds none.
    # The timeout rides out the server's own commits, which hold the same lock for milliseconds.
    return sqlite3.connect(db_path, timeout=15, isolation_level=None)


def hold_write_lock(db_path, seconds, record):
    """BEGIN IMMEDIATE, hold the write lock for `seconds`, COMMIT. Fills `record` with the
    monotonic times `locked` and `unlocked`, or `error`, so the caller can poll it."""
    try:
        db = connect(db_path)
        try:
            db.execute("BEGIN IMMEDIATE")
            record["locked"] = time.monotonic()
            time.sleep(seconds)  # the outage being simulated, not a wait for anything
            db.execute("COMMIT")
            record["unlocked"] = time.monotonic()
        finally:
            db.close()
    except sqlite3.Error as e:
        record["error"] = str(e)


def size_bytes(db_path):
    """The database's size as every connection sees it: its pages, including those still in the
    WAL (this, not the file on disk, is what PRAGMA max_page_count limits)."""
    db = connect(db_path)
    try:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        return db.execute("PRAGMA page_count").fetchone()[0] * page_size
    finally:
        db.close()


def fill_to(db_path, target_bytes):
    """Grows a `ballast` table of blobs, in one short transaction, until the database is within a
    few pages of target_bytes (a second connection has no page limit of its own). Returns the
    size."""
    db = connect(db_path)
    try:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE IF NOT EXISTS ballast (b BLOB)")
        # Bounded: each blob adds at least one page.
        for _ in range(max(0, target_bytes) // page_size + 1):
            size = db.execute("PRAGMA page_count").fetchone()[0] * page_size
            # Two pages spare for the blob's b-tree cell and overflow-page headers.
            room = target_bytes - size - 2 * page_size
            if room < page_size:
                break
            db.execute("INSERT INTO ballast (b) VALUES (zeroblob(?))", (min(CHUNK, room),))
        db.execute("COMMIT")
        return db.execute("PRAGMA page_count").fetchone()[0] * page_size
    finally:
        db.close()


def drop_ballast(db_path):
    """Frees the ballast's pages: they go to the freelist, which the server's inserts reuse
    without growing the file past its limit."""
    db = connect(db_path)
    try:
        db.execute("DROP TABLE IF EXISTS ballast")
    finally:
        db.close()
