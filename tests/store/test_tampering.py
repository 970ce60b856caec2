"""A value that fails authentication is reported — which persona, which kind of item —
and skipped; everything else keeps working."""

from __future__ import annotations

from personae.store import NewItem, TamperedValue
from tests.store.damage import corrupt


def test_a_tampered_timeline_item_is_skipped_and_reported(store, family) -> None:
    items = [NewItem(remote_id=f"id{n}", created=n, text=f"post {n}") for n in range(3)]
    store.timeline.add(family.id, "feed", 1, items)
    victim = store.timeline.newest(family.id)[1]
    corrupt(store, "items", "body", victim.id)

    shown = store.timeline.newest(family.id)
    assert [item.text for item in shown] == ["post 2", "post 0"]
    [problem] = store.problems
    assert isinstance(problem, TamperedValue)
    assert (problem.table, problem.row, problem.persona_id) == ("items", victim.id, family.id)
    assert "timeline item" in str(problem) and f"persona {family.id}" in str(problem)


def test_a_ciphertext_copied_from_another_row_does_not_open(store, work) -> None:
    first = store.drafts.save(work.id, "first draft")
    second = store.drafts.save(work.id, "second draft")
    blob = store.conn.execute("select text from drafts where id = ?", (first.id,)).fetchone()[0]
    store.conn.execute("update drafts set text = ? where id = ?", (blob, second.id))
    assert [d.text for d in store.drafts.list(work.id)] == ["first draft"]
    assert store.problems[0].row == second.id


def test_a_ciphertext_copied_from_another_persona_does_not_open(store, work, family) -> None:
    mine = store.drafts.save(work.id, "work secret")
    theirs = store.drafts.save(family.id, "cookie recipe")
    blob = store.conn.execute("select text from drafts where id = ?", (mine.id,)).fetchone()[0]
    store.conn.execute(
        "update drafts set text = ?, persona_id = ? where id = ?", (blob, family.id, theirs.id)
    )
    assert store.drafts.list(family.id) == []
    assert store.problems[0].persona_id == family.id


def test_a_tampered_persona_name_hides_only_that_persona(store, work, family) -> None:
    corrupt(store, "personas", "name", family.id)
    assert [p.name for p in store.personas.list()] == ["Work"]
    assert "persona" in str(store.problems[0])


def test_a_tampered_account_secret_leaves_other_accounts_usable(store, work) -> None:
    good = store.accounts.add(work, "local", "good", "/srv/a", "one")
    bad = store.accounts.add(work, "local", "bad", "/srv/b", "two")
    corrupt(store, "accounts", "secret", bad.id)
    assert [a.handle for a in store.accounts.list(work.id)] == [good.handle]
