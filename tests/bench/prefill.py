"""Fills a hitchpost database with N profiles for workspace W (id given), straight in SQLite:
the benchmark measures reads at size, not 100 000 HTTP creates. Writes the ids to IDS_FILE.
Args: DB WORKSPACE_ID N IDS_FILE USERNAME_PREFIX"""
import sqlite3, sys, uuid, random, string

db, ws, n, ids_file, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
conn = sqlite3.connect(db)
now = "2026-01-01T00:00:00.000Z"
rows, ids = [], []
for i in range(n):
    pid = str(uuid.uuid4())
    key = "prof_" + "".join(random.choices(string.ascii_letters + string.digits, k=24))
    ids.append(pid)
    rows.append((pid, ws, key, f"Bench {i}", f"{prefix}-ext-{i}", f"{prefix}_{i}", now, now))
conn.executemany(
    "INSERT INTO profiles (id, workspace_id, profile_key, name, external_id, username, metadata, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)", rows)
conn.commit()
open(ids_file, "w").write("\n".join(ids))
