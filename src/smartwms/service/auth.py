"""API keys: hashed at rest, compared in constant time; each key names the owner of its jobs.

Keys are random 256-bit tokens, so one SHA-256 is the right hash (a slow password hash protects
guessable secrets, which these are not). The key file holds ``NAME sha256:HEX`` lines.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from smartwms.errors import InputFileError, SmartwmsError

__all__ = ["KeyRing", "append_key", "generate_key", "hash_key"]

_PREFIX = "sk_"


def hash_key(key: str) -> str:
    """The stored form of an API key.

    Examples
    --------
    >>> hash_key("abc")[:15]
    'sha256:ba7816bf'
    """
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> str:
    """A new random API key."""
    return _PREFIX + secrets.token_urlsafe(32)


class KeyRing:
    """Known key hashes and their owners.

    Examples
    --------
    >>> ring = KeyRing({hash_key("k1"): "alice"})
    >>> ring.owner_of("k1"), ring.owner_of("nope")
    ('alice', None)
    """

    def __init__(self, hashes: dict[str, str] | None = None) -> None:
        self._owners = dict(hashes or {})

    def __len__(self) -> int:
        return len(self._owners)

    def owner_of(self, key: str) -> str | None:
        """The owner of ``key``, or ``None`` when it is not a known key."""
        return self.owner_of_hash(hash_key(key))

    def owner_of_hash(self, key_hash: str) -> str | None:
        """The owner of a key given by its stored form (:func:`hash_key`), or ``None``.

        The console keeps this form in its session cookie, never the key itself.
        """
        found = None
        for stored, owner in self._owners.items():
            # compare_digest against every entry: the time taken does not depend on the key.
            if hmac.compare_digest(stored, key_hash):
                found = owner
        return found

    def add(self, owner: str, key_hash: str) -> None:
        """Register a hashed key for ``owner``."""
        self._owners[key_hash] = owner

    @classmethod
    def load(cls, path: Path | None, env_pairs: str | None) -> KeyRing:
        """Keys from the key file (hashes) and from ``NAME=KEY,...`` (hashed here)."""
        ring = cls()
        if path is not None and path.exists():
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                parts = text.split()
                if len(parts) != 2 or not parts[1].startswith("sha256:"):
                    raise InputFileError(path, "expected 'NAME sha256:HEX'", line=number)
                ring.add(parts[0], parts[1])
        for number, pair in enumerate(filter(None, (env_pairs or "").split(",")), start=1):
            name, sep, key = pair.strip().partition("=")
            if not sep or not name or not key:
                raise SmartwmsError(f"SMARTWMS_API_KEYS entry {number}: expected NAME=KEY")
            ring.add(name, hash_key(key))
        return ring


def append_key(path: Path, owner: str) -> str:
    """Create a key for ``owner``, store its hash in ``path`` and return the key (shown once)."""
    if not owner or any(ch.isspace() for ch in owner):
        raise SmartwmsError(f"name: expected a word without spaces, got {owner!r}")
    key = generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(f"{owner} {hash_key(key)}\n")
    path.chmod(0o600)
    return key
