"""What someone with write access to the store's file can do to it, for the tests that
check it is noticed."""

from __future__ import annotations


def corrupt(store, table: str, column: str, row: int) -> None:
    """Flip the last byte of a sealed value (its authentication tag)."""
    blob = bytearray(
        store.conn.execute(f"select {column} from {table} where id = ?", (row,)).fetchone()[0]
    )
    blob[-1] ^= 0xFF
    store.conn.execute(f"update {table} set {column} = ? where id = ?", (bytes(blob), row))


def force_null(store, table: str, column: str, row: int) -> None:
    """Drop the column's NOT NULL from the schema (as an editor of the file could), then
    write NULL where a sealed value was."""
    conn = store.conn
    version = conn.execute("pragma schema_version").fetchone()[0]
    conn.execute("pragma writable_schema = on")
    conn.execute(
        "update sqlite_master set sql = replace(sql, ?, ?) where type = 'table' and name = ?",
        (f"{column} blob not null", f"{column} blob", table),
    )
    conn.execute(f"pragma schema_version = {version + 1}")
    conn.execute("pragma writable_schema = off")
    conn.execute(f"update {table} set {column} = null where id = ?", (row,))
