"""A bounded table of report counts in SQLite, shared by the workers of one server.

Each row counts the reports of one (type, directive, blocked origin or scheme, document
path, disposition) with when it was first and last seen and one sample report. The
table never holds more than ``max_rows`` rows: a new key past the cap evicts the row
with the fewest reports (the oldest among equals), so a flood of unique junk cannot
push out what is reported again and again; evictions are counted.

SQLite (standard library) in WAL mode lets every worker process of a gunicorn or
uvicorn server write to the same file; each process and thread opens its own
connection. Past one machine, send reports through :class:`LoggingSink` instead.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from secure.reports._record import Report

if TYPE_CHECKING:
    import sqlite3

__all__ = ["AggregateRow", "AggregateSink"]

_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS report_counts (
        type TEXT NOT NULL,
        directive TEXT NOT NULL,
        blocked TEXT NOT NULL,
        path TEXT NOT NULL,
        disposition TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_seen REAL NOT NULL,
        last_seen REAL NOT NULL,
        sample TEXT NOT NULL,
        PRIMARY KEY (type, directive, blocked, path, disposition)
    )""",
    "CREATE INDEX IF NOT EXISTS report_counts_eviction ON report_counts (count, last_seen)",
    """CREATE TABLE IF NOT EXISTS report_meta (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    )""",
)

_KEY: Final = "type = ? AND directive = ? AND blocked = ? AND path = ? AND disposition = ?"


@dataclass(frozen=True)
class AggregateRow:
    """One row of the aggregate: how often one kind of report arrived."""

    type: str
    directive: str
    blocked: str
    path: str
    disposition: str
    count: int
    first_seen: float
    last_seen: float
    sample: Report


class AggregateSink:
    """Count reports in a bounded SQLite table (WAL) that worker processes share.

    ``path`` is the database file (created if missing); ``max_rows`` caps the table::

        aggregate = AggregateSink("reports.sqlite3", max_rows=1000)
        receiver = ReportReceiver(sinks=[LoggingSink(), aggregate])
        for row in aggregate.rows():
            print(row.count, row.directive, row.blocked, row.path)
    """

    def __init__(
        self, path: str | os.PathLike[str], *, max_rows: int = 1000, timeout: float = 10.0
    ) -> None:
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise ValueError(
                f"AggregateSink: max_rows must be a positive integer, got {max_rows!r}"
            )
        if str(path) == ":memory:" or str(path).startswith("file:"):
            raise ValueError(
                "AggregateSink: path must be a file, so that every worker process shares it; "
                f"got {str(path)!r}"
            )
        self.path = Path(path)
        self.max_rows = max_rows
        self._timeout = timeout
        self._local = threading.local()
        # Every connection this process opened, so close() and garbage collection can
        # close them all, whichever thread opened them.
        self._opened: list[tuple[int, sqlite3.Connection]] = []
        with self._transaction() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    # -- connections ------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        # A connection never crosses a fork: a worker forked from a parent that used the
        # sink opens its own.
        if getattr(local, "pid", None) != os.getpid():
            import sqlite3  # only an app with an aggregate pays for importing it

            # Each thread writes through its own connection; check_same_thread is off
            # only so that close() may close them all from one thread.
            opened = sqlite3.connect(
                self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
            self._opened.append((os.getpid(), opened))
            opened.execute("PRAGMA journal_mode=WAL")
            opened.execute("PRAGMA synchronous=NORMAL")
            local.db, local.pid = opened, os.getpid()
        db: sqlite3.Connection = local.db
        return db

    def _transaction(self) -> _Transaction:
        return _Transaction(self._connection())

    def close(self) -> None:
        """Close the connections this process opened (a later call opens new ones)."""
        pid = os.getpid()
        opened, self._opened = self._opened, []
        for owner, db in opened:
            if owner == pid:  # a forked child never closes its parent's connection
                db.close()
        self._local = threading.local()

    def __del__(self) -> None:
        # A sink dropped without close() must not leave open connections behind.
        if getattr(self, "_opened", None):
            self.close()

    # -- writing ------------------------------------------------------------------------------

    def __call__(self, report: Report) -> None:
        key = (
            report.type,
            report.directive,
            report.blocked_origin,
            report.document_path,
            report.disposition,
        )
        now = time.time()
        with self._transaction() as db:
            updated = db.execute(
                f"UPDATE report_counts SET count = count + 1, last_seen = ? WHERE {_KEY}",
                (now, *key),
            ).rowcount
            if updated:
                return
            (rows,) = db.execute("SELECT count(*) FROM report_counts").fetchone()
            if rows >= self.max_rows:
                db.execute(
                    "DELETE FROM report_counts WHERE rowid IN (SELECT rowid FROM report_counts "
                    "ORDER BY count, last_seen LIMIT ?)",
                    (1 + rows - self.max_rows,),
                )
                db.execute(
                    "INSERT INTO report_meta (name, value) VALUES ('evicted', 1) "
                    "ON CONFLICT (name) DO UPDATE SET value = value + 1"
                )
            sample = json.dumps(report.to_dict(), ensure_ascii=True)
            db.execute(
                "INSERT INTO report_counts VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
                (*key, now, now, sample),
            )

    def clear(self) -> None:
        """Forget every count."""
        with self._transaction() as db:
            db.execute("DELETE FROM report_counts")
            db.execute("DELETE FROM report_meta")

    # -- reading ------------------------------------------------------------------------------

    def rows(self) -> list[AggregateRow]:
        """Every row, the most reported first."""
        found = self._connection().execute(
            "SELECT type, directive, blocked, path, disposition, count, first_seen, last_seen, "
            "sample FROM report_counts ORDER BY count DESC, last_seen DESC"
        )
        return [
            AggregateRow(
                type=row[0],
                directive=row[1],
                blocked=row[2],
                path=row[3],
                disposition=row[4],
                count=row[5],
                first_seen=row[6],
                last_seen=row[7],
                sample=Report.from_dict(json.loads(row[8])),
            )
            for row in found
        ]

    def __len__(self) -> int:
        (rows,) = self._connection().execute("SELECT count(*) FROM report_counts").fetchone()
        return int(rows)

    @property
    def evicted(self) -> int:
        """How many rows were evicted to keep the table under ``max_rows``."""
        row = (
            self._connection()
            .execute("SELECT value FROM report_meta WHERE name = 'evicted'")
            .fetchone()
        )
        return int(row[0]) if row else 0

    @property
    def total(self) -> int:
        """The number of reports the rows count (evicted rows not included)."""
        (total,) = self._connection().execute("SELECT sum(count) FROM report_counts").fetchone()
        return int(total or 0)

    def __repr__(self) -> str:
        return f"AggregateSink({str(self.path)!r}, max_rows={self.max_rows})"


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``: writers queue on the lock instead of failing."""

    __slots__ = ("_db",)

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
