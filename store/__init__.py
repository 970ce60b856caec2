"""personae's local store: one encrypted SQLite file per user. No network, no UI."""

from .crypto import KdfParams
from .errors import (
    Conflict,
    Invalid,
    Locked,
    NotFound,
    SchemaTooNew,
    StoreBusy,
    StoreError,
    StoreExists,
    StoreMissing,
    StorePermissions,
    StoreUnreadable,
    TamperedValue,
    WrongPassphrase,
)
from .files import default_store_dir
from .guard import Finding
from .models import (
    BLOCKED,
    FAILED,
    OWN,
    QUEUED,
    SENDING,
    SENT,
    Account,
    Draft,
    Feed,
    GuardTerm,
    Item,
    NewItem,
    OutboxEntry,
    Persona,
)
from .personas import NAMED_COLOURS, colour_hex
from .store import Store

__all__ = [
    "BLOCKED",
    "FAILED",
    "NAMED_COLOURS",
    "OWN",
    "QUEUED",
    "SENDING",
    "SENT",
    "Account",
    "Conflict",
    "Draft",
    "Feed",
    "Finding",
    "GuardTerm",
    "Invalid",
    "Item",
    "KdfParams",
    "Locked",
    "NewItem",
    "NotFound",
    "OutboxEntry",
    "Persona",
    "SchemaTooNew",
    "Store",
    "StoreBusy",
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
