"""Queueing a post runs the guard first: a look-alike of another persona's term is caught,
and a guard that cannot read itself refuses, override or not."""

from __future__ import annotations

import pytest

from personae.networks.posting import GuardRefused, queue
from personae.store import GuardDamaged, PostState
from tests.store.damage import corrupt


@pytest.fixture
def fam(store, family):
    return store.accounts.add(family, "local", "fam", "/srv/fam")


def test_a_post_with_another_personas_term_in_cyrillic_letters_is_not_queued(
    store, work, family, fam
) -> None:
    store.guard.add(work, "own", "#acme")
    draft = store.drafts.save(family.id, "Proud of the #АСМЕ team", [fam.id])
    with pytest.raises(GuardRefused) as refused:
        queue(store, draft, [fam])
    assert refused.value.review.problems() == ["'#АСМЕ' looks like '#acme', which belongs to Work"]
    assert store.outbox.list() == []


def test_a_damaged_guard_term_refuses_to_queue_even_with_override(store, work, family, fam) -> None:
    term = store.guard.add(work, "blocked", "layoffs")
    corrupt(store, "guard_terms", "term", term.id)
    draft = store.drafts.save(family.id, "Cookies on Saturday", [fam.id])
    with pytest.raises(GuardDamaged, match="guard term 1 of Work"):
        queue(store, draft, [fam], override=True)
    assert store.outbox.list() == []
    assert store.drafts.get(draft.id).state == PostState.DRAFT  # kept, to queue once repaired
