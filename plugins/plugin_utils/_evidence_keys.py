# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The ledger's signing keys, seals (signatures over a batch's head) and the anchor file's line chain."""

from __future__ import annotations

import base64
import hashlib
import os
import time

from ansible_collections.govcloud.lifecycle.plugins.module_utils._evidence_kinds import EvidenceError
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_record import (
    DB_NAME,
    ENV_DIR,
    ENV_KEY,
    ENV_KEY_PIN_DIR,
    GENESIS_HASH,
    canonical,
)


try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - ansible-core requires cryptography on the controller
    HAS_CRYPTOGRAPHY = False

    class InvalidSignature(Exception):
        """Stand-in so the ledger's ``except`` clauses stay valid; without cryptography _need_crypto() raises first."""


# ------------------------------------------------------------------------------------------ anchor key

def default_key_path():
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "govcloud-lifecycle", "evidence-signing.pem")


def resolve_key_path(key_file=None):
    return os.path.abspath(os.path.expanduser(key_file or os.environ.get(ENV_KEY) or default_key_path()))


def pinned_key_id_from_dir(application):
    """The key id intake pinned in ``$GOVCLOUD_EVIDENCE_KEY_PIN_DIR/<application>.yml``, if that file exists.

    An unreadable or malformed pin is an error, never "no pin": whoever can corrupt the file must not unpin the
    ledger by doing so."""
    directory = os.environ.get(ENV_KEY_PIN_DIR)
    if not directory or not application:
        return None
    path = os.path.join(os.path.expanduser(directory), "%s.yml" % application)
    if not os.path.exists(path):
        return None
    import yaml  # an ansible-core dependency; only this path needs it

    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise EvidenceError("key id pin %s: cannot be read (%s); restore it from the inventory's change control"
                            % (path, exc))
    value = data.get("govcloud_evidence_key_id") if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise EvidenceError("key id pin %s: no govcloud_evidence_key_id string in it; restore it from the "
                            "inventory's change control" % path)
    return value


def _need_crypto():
    if not HAS_CRYPTOGRAPHY:
        raise EvidenceError("the Python 'cryptography' library is needed to sign or check ledger checkpoints")


def key_id(public_key):
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def load_signing_key(path, create=True):
    """Ed25519 private key from ``path``; generated (mode 0600, with ``<path>.pub``) if absent and create."""
    _need_crypto()
    if not os.path.exists(path):
        if not create:
            raise EvidenceError("anchor key %s does not exist" % path)
        _generate_key(path)
    for attempt in range(50):
        try:
            mode = os.stat(path).st_mode
            if mode & 0o077:
                raise EvidenceError("anchor key %s is readable by group or others (mode %04o); run chmod 600 on it"
                                    % (path, mode & 0o777))
            with open(path, "rb") as handle:
                data = handle.read()
            key = serialization.load_pem_private_key(data, password=None)
        except OSError as exc:
            raise EvidenceError("anchor key %s: cannot read: %s" % (path, exc.strerror or exc))
        except (ValueError, TypeError) as exc:
            if attempt < 49 and len(data) < 100:  # another process is still writing a fresh key
                time.sleep(0.02)
                continue
            raise EvidenceError("anchor key %s is not an unencrypted PEM private key: %s" % (path, exc))
        if not isinstance(key, Ed25519PrivateKey):
            raise EvidenceError("anchor key %s is not an Ed25519 key" % path)
        return key
    raise EvidenceError("anchor key %s could not be read" % path)  # pragma: no cover


def _generate_key(path):
    parent = os.path.dirname(path)
    try:
        os.makedirs(parent, mode=0o700, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise EvidenceError("anchor key %s: cannot create: %s" % (path, exc.strerror or exc))
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        with open(path + ".pub", "wb") as handle:
            handle.write(pub)
    except OSError:
        pass


def load_verify_key(path):
    """Public key for verification from a private or public PEM file (auditors hold only the .pub)."""
    _need_crypto()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise EvidenceError("anchor key %s: cannot read: %s" % (path, exc.strerror or exc))
    try:
        if b"PRIVATE KEY" in data:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise EvidenceError("anchor key %s is not a PEM Ed25519 key: %s" % (path, exc))
    if not isinstance(key, Ed25519PublicKey):
        raise EvidenceError("anchor key %s is not an Ed25519 key" % path)
    return key


def resolve_dir(evidence_dir=None, application=None):
    """Evidence directory: explicit, else $GOVCLOUD_EVIDENCE_DIR, else ./evidence/<application>."""
    chosen = evidence_dir or os.environ.get(ENV_DIR)
    if not chosen:
        if not application:
            raise EvidenceError("evidence_dir: not set, and no application to derive evidence/<application> from")
        chosen = os.path.join("evidence", application)
    return os.path.abspath(os.path.expanduser(str(chosen)))


def writable_problem(directory):
    """None if a ledger in ``directory`` could be created and written, else why not (for check mode)."""
    path = directory
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    if not os.path.isdir(path):
        return "evidence directory %s: %s is not a directory" % (directory, path)
    if not os.access(path, os.W_OK | os.X_OK):
        return "evidence directory %s: %s is not writable by this user" % (directory, path)
    db = os.path.join(directory, DB_NAME)
    if os.path.exists(db) and not os.access(db, os.W_OK):
        return "ledger %s is not writable by this user" % db
    return None


def seal_message(ledger_id, seq, head_hash):
    """What a seal signs: the ledger, the batch's last seq and that record's hash (which chains all before it)."""
    return canonical({"v": 1, "ledger": ledger_id, "seq": seq, "hash": head_hash})


def _seal_ok(public, kid, row, ledger_id, seq, head_hash):
    seal_kid, sig = row
    if seal_kid != kid:
        return False
    try:
        public.verify(base64.b64decode(sig), seal_message(ledger_id, seq, head_hash))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _unsigned_reason(covered, head):
    return ("record(s) %d to %d carry no signature of the ledger key (no seal or signed checkpoint covers them): "
            "they were added without the key" % (covered + 1, head))


def _anchor_started(path):
    try:
        return os.path.getsize(path) > 0
    except OSError:
        return False


def _anchor_link(fd, path):
    """SHA-256 of the last complete line of the anchor file: the ``prev`` of the next line.

    A line without its newline was cut short by a crash and never completed a checkpoint: drop it,
    so the next line starts clean.
    """
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            return GENESIS_HASH
        start = max(0, size - 65536)
        tail = os.pread(fd, size - start, start)
        if not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n")
            os.ftruncate(fd, start + cut + 1 if cut >= 0 else start)
            tail = tail[:cut + 1] if cut >= 0 else b""
    except OSError as exc:
        raise EvidenceError("anchor file %s: cannot read: %s" % (path, exc.strerror or exc))
    lines = tail.split(b"\n")[:-1]
    return hashlib.sha256(lines[-1]).hexdigest() if lines else GENESIS_HASH
