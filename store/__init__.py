"""personae's local store: one encrypted SQLite file per user. No network, no UI."""

from personae.store.crypto import KdfParams
from personae.store.drafts import MAX_DRAFT_CHARS
from personae.store.errors import (
    Conflict,
    GuardDamaged,
    Invalid,
    Locked,
    NotFound,
    SchemaTooNew,
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreExists,
    StoreMissing,
    StorePermissions,
    StoreUnreadable,
    TamperedValue,
    WrongPassphrase,
)
from personae.store.files import default_store_dir
from personae.store.guard import Finding
from personae.store.models import (
    Account,
    Draft,
    Feed,
    FeedState,
    GuardKind,
    GuardTerm,
    Item,
    NewItem,
    OutboxEntry,
    Persona,
    PostState,
    SourceKind,
)
from personae.store.personas import NAMED_COLOURS, colour_hex
from personae.store.store import Store

__all__ = [
    "MAX_DRAFT_CHARS",
    "NAMED_COLOURS",
    "Account",
    "Conflict",
    "Draft",
    "Feed",
    "FeedState",
    "Finding",
    "GuardDamaged",
    "GuardKind",
    "GuardTerm",
    "Invalid",
    "Item",
    "KdfParams",
    "Locked",
    "NewItem",
    "NotFound",
    "OutboxEntry",
    "Persona",
    "PostState",
    "SchemaTooNew",
    "SourceKind",
    "Store",
    "StoreBusy",
    "StoreDamaged",
    "StoreError",
    "StoreExists",
    "StoreMissing",
    "StorePermissions",
    "StoreUnreadable",
    "TamperedValue",
    "WrongPassphrase",
    "colour_hex",
    "default_store_dir",
]
