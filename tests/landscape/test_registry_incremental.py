"""The registry after a new week equals a rebuild from nothing, though only changed models are
written (issue 20: rewriting every model was a third of `process` at 1M items)."""

import sqlite3

from abreast.landscape.registry import build_registry
from abreast.store import Store

TABLES = {
    "models": "id, name, org, family, released, params_b, context_length, license, first_item_key",
    "model_bases": "model_id, base_id, relation, source",
    "model_facts": "model_id, field, value, source, as_of",
    "model_scores": "model_id, board, snapshot, score, rank",
}


def _registry(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {
        t: sorted(map(tuple, conn.execute(f"SELECT {cols} FROM {t}")), key=repr)
        for t, cols in TABLES.items()
    }


def _copy(src: Store, dest) -> Store:
    src.conn.execute("VACUUM INTO ?", (str(dest),))
    return Store.open(dest)


def test_registry_after_a_new_week_equals_a_full_rebuild(demo_store, tmp_path):
    conn = demo_store.conn
    last = conn.execute(
        "SELECT max(week) FROM items WHERE kind = 'hf' AND week IS NOT NULL"
    ).fetchone()[0]
    # The store as it was before its last week with Hugging Face items: that week's items gone.
    before = _copy(demo_store, tmp_path / "before.db")
    before.conn.execute("PRAGMA foreign_keys=OFF")
    dropped = before.conn.execute("DELETE FROM items WHERE week >= ?", (last,)).rowcount
    before.conn.commit()
    assert dropped > 100
    for t in TABLES:
        before.conn.execute(f"DELETE FROM {t}")
    before.conn.commit()
    old = build_registry(before.conn)
    before.close()
    # The full store holding the registry built before the week: the next build is incremental.
    conn.execute("ATTACH ? AS old", (str(tmp_path / "before.db"),))
    conn.execute("PRAGMA foreign_keys=OFF")
    for t in reversed(list(TABLES)):
        conn.execute(f"DELETE FROM {t}")
    for t, cols in TABLES.items():
        conn.execute(
            f"INSERT INTO {t}({cols}, {'updated_at, ' if t == 'models' else ''}rowid) "
            f"SELECT {cols}, {'updated_at, ' if t == 'models' else ''}rowid FROM old.{t}"
        )
    conn.commit()
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("DETACH old")
    assert _registry(conn) != {}
    incremental = build_registry(conn)
    # From nothing: every model written.
    fresh = _copy(demo_store, tmp_path / "fresh.db")
    for t in reversed(list(TABLES)):
        fresh.conn.execute(f"DELETE FROM {t}")
    fresh.conn.commit()
    full = build_registry(fresh.conn)
    assert full.written == full.models
    assert _registry(conn) == _registry(fresh.conn)
    # The new week changed some models, not all of them, and the new week's models are there.
    assert 0 < incremental.written < full.models
    assert incremental.models == full.models > old.models
    # Nothing new: nothing written, nothing changed.
    assert build_registry(conn).written == 0
    assert _registry(conn) == _registry(fresh.conn)
    fresh.close()
