"""Keys and authenticated encryption.

Hierarchy: passphrase --Argon2id--> key-encryption key (KEK) --wraps--> store key
--wraps--> one data key per persona --encrypts--> that persona's values.

Every value is sealed with AES-256-GCM under a fresh random 96-bit nonce, and with associated
data naming its table, row, column and persona, so a ciphertext copied anywhere else fails to
open. A sealed value on disk is ``nonce || ciphertext || tag``; an absent one (NULL) never
means "empty": empty values are sealed too, so a NULL is a deleted value, i.e. tampering.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from personae.store.errors import StoreDamaged, TamperedValue

NONCE_BYTES = 12
KEY_BYTES = 32
VERSION = b"personae/v1"

# Bounds for Argon2id settings read from a store: the file is not trusted, and a changed
# setting must not make unlocking hang, exhaust memory or crash. Generous: 64 MiB × 64
# passes (~2.5 s here) is the most work a store may ask for.
SALT_BYTES = (16, 64)
MEMORY_KIB = (8 * 1024, 1024 * 1024)
ITERATIONS = (1, 64)
LANES = (1, 16)
MAX_WORK_KIB = 64 * 1024 * 64  # memory × passes


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored in plaintext beside the wrapped store key."""

    salt: bytes
    memory_kib: int = 64 * 1024
    iterations: int = 8  # with 64 MiB and 4 lanes: 0.31–0.34 s on this 2-core machine
    lanes: int = 4

    def __post_init__(self) -> None:
        _check_bounds(self)

    @classmethod
    def fresh(cls, **overrides: int) -> KdfParams:
        return cls(salt=os.urandom(16), **overrides)

    @classmethod
    def cheap(cls) -> KdfParams:
        """8 MiB and one pass (a few ms): for throwaway stores only — the demo, tests and
        benchmarks that open many stores. A user's store always gets ``fresh()``."""
        return cls.fresh(memory_kib=8 * 1024, iterations=1, lanes=1)

    def derive(self, passphrase: str) -> bytes:
        kdf = Argon2id(
            salt=self.salt,
            length=KEY_BYTES,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(passphrase.encode("utf-8"))

    def to_json(self) -> str:
        fields = asdict(self)
        fields["salt"] = self.salt.hex()
        return json.dumps(fields)

    @classmethod
    def from_json(cls, text: str) -> KdfParams:
        """Settings as stored; anything malformed or out of bounds is ``StoreDamaged``."""
        try:
            fields = json.loads(text)
            if not isinstance(fields, dict) or set(fields) != {
                "salt",
                "memory_kib",
                "iterations",
                "lanes",
            }:
                raise ValueError("expected salt, memory_kib, iterations and lanes")
            numbers = [fields[name] for name in ("memory_kib", "iterations", "lanes")]
            if not all(type(n) is int for n in numbers) or not isinstance(fields["salt"], str):
                raise ValueError("a setting has the wrong type")
            return cls(bytes.fromhex(fields["salt"]), *numbers)
        except (ValueError, TypeError, RecursionError) as error:  # JSONDecodeError is one
            raise StoreDamaged(f"store settings damaged: key derivation ({error})") from None


def _check_bounds(params: KdfParams) -> None:
    def within(name: str, value: int, bounds: tuple[int, int]) -> None:
        if not bounds[0] <= value <= bounds[1]:
            raise ValueError(f"{name} {value} outside {bounds[0]}–{bounds[1]}")

    within("salt length", len(params.salt), SALT_BYTES)
    within("memory_kib", params.memory_kib, MEMORY_KIB)
    within("iterations", params.iterations, ITERATIONS)
    within("lanes", params.lanes, LANES)
    if params.memory_kib * params.iterations > MAX_WORK_KIB:
        raise ValueError(f"memory × iterations above {MAX_WORK_KIB} KiB")


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: AESGCM, plaintext: bytes, ad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + key.encrypt(nonce, plaintext, ad)


def unseal(key: AESGCM, blob: bytes, ad: bytes) -> bytes:
    """Open a sealed value; raises ``InvalidTag`` if it was changed or moved."""
    if len(blob) < NONCE_BYTES + 16:
        raise InvalidTag()
    return key.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], ad)


def store_key_ad() -> bytes:
    return VERSION + b"|store-key"


def key_check(kek: bytes) -> str:
    """A value derived from the key-encryption key and stored beside the wrapped store key:
    a passphrase that reproduces it is right, so a wrapped key that then fails to open was
    changed on disk (tampering), not unlocked with a wrong passphrase."""
    return hmac.new(kek, VERSION + b"|key-check", hashlib.sha256).hexdigest()


def persona_key_ad(persona_id: int) -> bytes:
    return VERSION + b"|persona-key|%d" % persona_id


def value_ad(table: str, row: int, column: str, persona_id: int) -> bytes:
    return b"%s|%s|%d|%s|%d" % (VERSION, table.encode(), row, column.encode(), persona_id)


class PersonaCipher:
    """Seals and opens the values of one persona under its data key."""

    __slots__ = ("_aead", "_tag_mac", "persona_id")

    def __init__(self, data_key: bytes, persona_id: int) -> None:
        self.persona_id = persona_id
        self._aead = AESGCM(data_key)
        # A separate key for lookup tags, so tags never reuse the encryption key.
        tag_key = hmac.new(data_key, b"personae lookup tags", hashlib.sha256).digest()
        self._tag_mac = hmac.new(tag_key, digestmod=hashlib.sha256)  # copied per tag: 2× faster

    def seal(self, table: str, row: int, column: str, value: str | bytes) -> bytes:
        data = value.encode("utf-8") if isinstance(value, str) else value
        return seal(self._aead, data, value_ad(table, row, column, self.persona_id))

    def unseal(self, table: str, row: int, column: str, blob: bytes | None) -> bytes:
        """Open a value. Raises ``TamperedValue`` if it was changed, moved or deleted (NULL)."""
        if blob is None:
            raise TamperedValue(table, row, column, self.persona_id)
        try:
            return unseal(self._aead, blob, value_ad(table, row, column, self.persona_id))
        except InvalidTag:
            raise TamperedValue(table, row, column, self.persona_id) from None

    def text(self, table: str, row: int, column: str, blob: bytes | None) -> str:
        return self.unseal(table, row, column, blob).decode("utf-8")

    def field(self, table: str, row: Mapping[str, Any], column: str, sealed_as: str = "") -> str:
        """The text of ``row[column]`` (a row as ``Store.rows`` gives it), sealed under
        the column name ``sealed_as`` when that differs from the column's."""
        return self.text(table, row["id"], sealed_as or column, row[column])

    def json(self, table: str, row: int, column: str, blob: bytes | None) -> Any:
        return json.loads(self.unseal(table, row, column, blob))

    def seal_json(self, table: str, row: int, column: str, value: Any) -> bytes:
        return self.seal(table, row, column, json.dumps(value, separators=(",", ":")))

    def tag(self, *parts: str | int) -> bytes:
        """A keyed 128-bit fingerprint: equal inputs match, and it reveals nothing else."""
        message = "\x1f".join(str(part) for part in parts).encode("utf-8")
        mac = self._tag_mac.copy()
        mac.update(message)
        return mac.digest()[:16]
