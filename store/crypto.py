"""Keys and authenticated encryption.

Hierarchy: passphrase --Argon2id--> key-encryption key (KEK) --wraps--> store key
--wraps--> one data key per persona --encrypts--> that persona's values.

Every value is sealed with AES-256-GCM under a fresh random 96-bit nonce, and with associated
data naming its table, row, column and persona, so a ciphertext copied anywhere else fails to
open. A sealed value on disk is ``nonce || ciphertext || tag``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from personae.store.errors import TamperedValue

NONCE_BYTES = 12
KEY_BYTES = 32
VERSION = b"personae/v1"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored in plaintext beside the wrapped store key."""

    salt: bytes
    memory_kib: int = 64 * 1024
    iterations: int = 8  # ~0.16 s with 64 MiB on this kind of machine
    lanes: int = 4

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
        fields = json.loads(text)
        fields["salt"] = bytes.fromhex(fields["salt"])
        return cls(**fields)


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
        """Open a value; an absent one (NULL) is empty. Raises ``TamperedValue``."""
        if blob is None:
            return b""
        try:
            return unseal(self._aead, blob, value_ad(table, row, column, self.persona_id))
        except InvalidTag:
            raise TamperedValue(table, row, column, self.persona_id) from None

    def text(self, table: str, row: int, column: str, blob: bytes | None) -> str:
        return self.unseal(table, row, column, blob).decode("utf-8")

    def json(self, table: str, row: int, column: str, blob: bytes | None) -> Any:
        data = self.unseal(table, row, column, blob)
        return json.loads(data) if data else None

    def seal_json(self, table: str, row: int, column: str, value: Any) -> bytes:
        return self.seal(table, row, column, json.dumps(value, separators=(",", ":")))

    def tag(self, *parts: str | int) -> bytes:
        """A keyed 128-bit fingerprint: equal inputs match, and it reveals nothing else."""
        message = "\x1f".join(str(part) for part in parts).encode("utf-8")
        mac = self._tag_mac.copy()
        mac.update(message)
        return mac.digest()[:16]
