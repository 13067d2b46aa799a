# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Where the report's files are written: a temporary file beside the target, renamed on success (in check
mode only hashed), and the JSON forms they are written in."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile


# ------------------------------------------------------------------------------------------ output

class _Sink:
    """Writes text to a temporary file beside the target (or only hashes it in check mode)."""

    def __init__(self, path, check_mode):
        self.path = path
        self.sha = hashlib.sha256()
        self.buf = []
        self.size = 0
        self.fh = None
        self.tmp = None
        if not check_mode:
            fd, self.tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=os.path.dirname(path))
            self.fh = os.fdopen(fd, "wb")

    def write(self, text):
        self.buf.append(text)
        self.size += len(text)
        if self.size > 1 << 20:
            self.flush()

    def flush(self):
        data = "".join(self.buf).encode("utf-8")
        self.buf, self.size = [], 0
        self.sha.update(data)
        if self.fh:
            self.fh.write(data)

    def finish(self):
        self.flush()
        digest = self.sha.hexdigest()
        before = _file_sha256(self.path)
        changed = before != digest
        if self.fh:
            self.fh.close()
            if changed:
                os.chmod(self.tmp, 0o644)
                os.replace(self.tmp, self.path)
            else:
                os.unlink(self.tmp)
        return {"path": self.path, "sha256": digest, "changed": changed, "before_sha256": before}

    def abort(self):
        if self.fh:
            self.fh.close()
            try:
                os.unlink(self.tmp)
            except OSError:
                pass


def _file_sha256(path):
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
