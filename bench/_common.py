"""What every benchmark shares: percentiles, the table printer, and a throwaway database."""

import os

import django


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def print_table(title, header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in pairs]
        print("  ".join(cells))


def database_description(connection):
    if connection.vendor == "sqlite":
        import sqlite3

        name = connection.settings_dict["NAME"]
        where = "in-memory test database" if connection.is_in_memory_db() else f"test database {name}"
        return f"SQLite {sqlite3.sqlite_version} ({where})"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SHOW fsync")
        fsync = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    name = connection.settings_dict["NAME"]
    return f"{version} (test database {name}, fsync={fsync}, synchronous_commit={sync})"


def print_header(title, connection, runs):
    import platform

    print(f"== {title} ==")
    print(f"database: {database_description(connection)}")
    print(
        f"machine: os.cpu_count()={os.cpu_count()}, Python {platform.python_version()}, "
        f"Django {django.get_version()}; load average {os.getloadavg()[0]:.2f} at the start; "
        f"medians of {runs} runs unless stated"
    )


def throwaway_database(test_name):
    """Creates and migrates a test database; never touches the configured database itself."""
    from django.db import connections
    from django.test.utils import setup_databases

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        settings_dict.setdefault("TEST", {})["NAME"] = None  # SQLite: in memory
    else:  # a name of its own, so a test suite running on the same server is never clobbered
        settings_dict.setdefault("TEST", {})["NAME"] = test_name
    return setup_databases(verbosity=0, interactive=False, serialized_aliases=set())


def server_cpu_seconds():
    """CPU seconds (user + system) used so far by every PostgreSQL server process on this machine
    (backends, WAL writer, checkpointer), from /proc: those running, plus the ended ones the server
    has reaped (its children's time). None when none is visible (a server elsewhere, or no /proc)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, seen = 0, False
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name == "postgres" or name.startswith("postgres:"):
            fields = stat[stat.rindex(")") + 2 :].split()
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
            seen = True
    return total / ticks if seen else None
