"""Queueing a post: the checks both the CLI and the app run before anything is queued.

A post is reviewed against the publish guard (another persona's terms or handles, this
persona's blocked terms) and against each target network's length limit; only then is it
put in the outbox, one entry per account, after the persona's send delay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from personae.networks.errors import NetworkUnavailable
from personae.networks.registry import load
from personae.store import Account, Draft, Finding, GuardKind, Invalid, Persona, Store


@dataclass
class Review:
    """What stands between a text and the outbox."""

    persona: Persona
    accounts: list[Account]
    findings: list[Finding] = field(default_factory=list)
    too_long: dict[int, str] = field(default_factory=dict)  # account id → why
    unusable: dict[int, str] = field(default_factory=dict)  # account id → why

    @property
    def blocked(self) -> bool:
        """A blocked term: refused unless explicitly overridden."""
        return any(f.kind == GuardKind.BLOCKED for f in self.findings)

    @property
    def ok(self) -> bool:
        return not (self.findings or self.too_long or self.unusable)

    def problems(self) -> list[str]:
        """Every finding as one line, for the CLI and the confirmation dialog."""
        handles = {a.id: a.handle for a in self.accounts}
        lines = [str(finding) for finding in self.findings]
        lines += [f"too long for {handles[i]}: {why}" for i, why in self.too_long.items()]
        lines += [f"cannot publish to {handles[i]}: {why}" for i, why in self.unusable.items()]
        return lines


class GuardRefused(Invalid):
    """The guard found terms of another persona, or blocked terms, and no override."""

    def __init__(self, review: Review) -> None:
        self.review = review
        super().__init__(f"not queued as {review.persona.name}: " + "; ".join(review.problems()))


def review(store: Store, persona: Persona, text: str, accounts: Sequence[Account]) -> Review:
    """Check ``text`` for ``persona`` going to ``accounts``; nothing is changed.

    Raises ``GuardDamaged`` (a ``StoreError``) when the guard cannot read all its terms:
    no review, no override, nothing queued until the damage is removed."""
    result = Review(persona, list(accounts), findings=store.guard.check(persona, text))
    for account in accounts:
        if account.persona_id != persona.id:
            result.unusable[account.id] = "it belongs to another persona"
            continue
        try:
            network = load(account.network)
        except NetworkUnavailable as error:
            result.unusable[account.id] = str(error)
            continue
        if network.capabilities.read_only:
            result.unusable[account.id] = f"{network.title} is read-only"
        elif message := network.check_length(text):
            result.too_long[account.id] = message
    return result


def publishable(store: Store, persona: Persona) -> list[Account]:
    """The persona's accounts a post can go to (default targets)."""
    usable = []
    for account in store.accounts.list(persona.id):
        try:
            if not load(account.network).capabilities.read_only:
                usable.append(account)
        except NetworkUnavailable:
            continue
    return usable


def queue(
    store: Store, draft: Draft, accounts: Sequence[Account], *, override: bool = False
) -> list[int]:
    """Put the draft in the outbox for ``accounts``; returns the new entries' ids.

    Guard findings refuse unless ``override``; too-long and unusable targets always refuse,
    and so does a damaged guard (``GuardDamaged``), override or not."""
    persona = store.personas.get(draft.persona_id)
    result = review(store, persona, draft.text, accounts)
    if result.too_long or result.unusable or (result.findings and not override):
        raise GuardRefused(result)
    return store.outbox.enqueue(draft, accounts, delay=persona.send_delay)
