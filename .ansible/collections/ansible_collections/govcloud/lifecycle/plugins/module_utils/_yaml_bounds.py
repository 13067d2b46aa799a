# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module_util is **PRIVATE** to the collection: it can change at any time.

"""Bounded YAML: every YAML file the collection reads itself (manifest, attestations, records) goes through here.

``yaml.safe_load`` refuses to build arbitrary objects, but it does not bound what it reads: a "billion laughs"
document (nine levels of ten aliases to the level below) is a few hundred bytes and expands to 10^9 nodes as soon
as anything walks it (templating, JSON dumping, a schema check), and a very large or very deep file costs memory
and time in proportion.  Here the limits are checked before anything is built:

- ``MAX_BYTES``: the size, checked with stat()/len() before a single byte is parsed;
- ``MAX_ALIASES``: the number of alias references (``*name``) in the document;
- ``MAX_NODES``: the number of nodes of the document *with every alias expanded*, counted while the composer
  builds the node graph (an alias counts the full size of what it points to), so a bomb is refused at the first
  alias that would take the expanded size over the limit, after composing a few hundred nodes, in milliseconds;
- ``MAX_DEPTH``: nesting depth, so that ``[[[[...]]]]`` is refused by name instead of exhausting the recursion
  limit of the (recursive) composer.

A recursive alias (an anchor used inside itself) has no finite expansion and is refused too.  The defaults are
generous for what the collection reads (the example manifest is ~4.5 KiB, ~330 nodes, no alias); a caller with a
reason can pass other limits.  Errors are ``YamlBoundsError`` (a ``ValueError``) whose message names the file
and the limit.
"""

from __future__ import annotations

import os

try:
    import yaml
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.events import AliasEvent
    from yaml.resolver import Resolver
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner
    try:
        # libyaml's parser gives the events; composing stays in Python so that it can be counted
        from yaml._yaml import CParser as _CParser
    except ImportError:  # PyYAML without libyaml
        _CParser = None
except ImportError:  # the controller always has PyYAML (ansible-core dependency); guarded for sanity import tests
    yaml = None

MAX_BYTES = 4 * 1024 * 1024
"""Largest file (bytes) read at all: 4 MiB, ~900 times the example manifest."""
MAX_ALIASES = 100
"""Most alias references (``*name``) in one document; hand-written anchors in a manifest are a handful."""
MAX_NODES = 100000
"""Most nodes (scalars, lists, mappings) with every alias expanded: ~300 times the example manifest."""
MAX_DEPTH = 64
"""Deepest nesting of lists/mappings; the manifest's schema is 6 levels deep."""
ANSIBLE_TAGS = ("!vault", "!unsafe")
"""Ansible's own scalar tags in inventory and vars files: read as the plain (for a vault value: still encrypted)
text, so that a file Ansible reads is never refused for them."""


class YamlBoundsError(ValueError):
    """A YAML document that is too big, too deep, has too many aliases, or does not parse; names the file.

    ``limit`` is the name of the limit exceeded (``max_bytes``, ``max_aliases``, ``max_nodes``, ``max_depth``),
    None when the document is unreadable or not valid YAML.
    """

    def __init__(self, message, limit=None):
        super(YamlBoundsError, self).__init__(message)
        self.limit = limit


def _number(value):
    return "{:,}".format(value)


if yaml is not None:
    class _BoundedComposer(Composer):
        """PyYAML's composer with running counts; every check fails before the next node is composed."""

        def _bounds_init(self, name, max_aliases, max_nodes, max_depth):
            self._bounds = (name, max_aliases, max_nodes, max_depth)
            self._aliases = 0
            self._expanded = 0
            self._depth = 0
            self._open_anchors = set()

        def _refuse(self, what, option, hint=""):
            limit = self._bounds[("max_aliases", "max_nodes", "max_depth").index(option) + 1]
            raise YamlBoundsError("%s: %s, more than the limit of %s%s" % (self._bounds[0], what, _number(limit), hint),
                                  limit=option)

        def compose_node(self, parent, index):
            name, max_aliases, max_nodes, max_depth = self._bounds
            if self.check_event(AliasEvent):
                event = self.peek_event()
                line = event.start_mark.line + 1
                self._aliases += 1
                if self._aliases > max_aliases:
                    self._refuse("%s aliases" % _number(self._aliases), "max_aliases", " (YAML alias bomb?)")
                if event.anchor in self._open_anchors:
                    raise YamlBoundsError("%s: line %d: alias *%s is used inside its own anchor; a recursive "
                                          "alias has no finite expansion" % (name, line, event.anchor),
                                          limit="max_nodes")
                target = self.anchors.get(event.anchor)
                if target is not None:  # an undefined alias gets PyYAML's own error below
                    self._expanded += target.bounds_weight
                    if self._expanded > max_nodes:
                        self._refuse("%s nodes with aliases expanded (at alias *%s, line %d)" % (
                            _number(self._expanded), event.anchor, line), "max_nodes", " (YAML alias bomb?)")
                return Composer.compose_node(self, parent, index)
            self._expanded += 1
            if self._expanded > max_nodes:
                self._refuse("%s nodes" % _number(self._expanded), "max_nodes")
            self._depth += 1
            if self._depth > max_depth:
                self._refuse("nesting %d levels deep (line %d)" % (
                    self._depth, self.peek_event().start_mark.line + 1), "max_depth", " levels")
            start = self._expanded
            node = Composer.compose_node(self, parent, index)
            self._depth -= 1
            # the expanded size of this node's subtree: what each alias to it counts
            node.bounds_weight = self._expanded - start + 1
            return node

        def compose_sequence_node(self, anchor):
            return self._composing(anchor, Composer.compose_sequence_node)

        def compose_mapping_node(self, anchor):
            return self._composing(anchor, Composer.compose_mapping_node)

        def _composing(self, anchor, compose):
            # PyYAML registers an anchor before its children: an alias to it from inside them is recursive
            if anchor is None:
                return compose(self, anchor)
            self._open_anchors.add(anchor)
            try:
                return compose(self, anchor)
            finally:
                self._open_anchors.discard(anchor)

    class _PyBoundedLoader(Reader, Scanner, Parser, _BoundedComposer, SafeConstructor, Resolver):
        """The pure Python loader with the counting composer (PyYAML without libyaml)."""

        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            _BoundedComposer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _CBoundedLoader = None
    if _CParser is not None:
        class _CBoundedLoader(_BoundedComposer, _CParser, SafeConstructor, Resolver):
            """libyaml parses the events (fast); the counting composer comes first in the MRO, so it composes."""

            def __init__(self, stream):
                _CParser.__init__(self, stream)
                _BoundedComposer.__init__(self)
                SafeConstructor.__init__(self)
                Resolver.__init__(self)

    def _tagged_text(loader, node):
        return loader.construct_scalar(node)

    for _loader in (_PyBoundedLoader, _CBoundedLoader):
        for _tag in ANSIBLE_TAGS:
            if _loader is not None:
                _loader.add_constructor(_tag, _tagged_text)


def _loader_class():
    """The loader class: libyaml's event parser when present (faster), else the pure Python one."""
    if yaml is None:
        raise YamlBoundsError("reading YAML needs PyYAML on the controller")
    return _CBoundedLoader or _PyBoundedLoader


def load_text(text, name, max_aliases=MAX_ALIASES, max_nodes=MAX_NODES, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH):
    """The data of one YAML document in ``text`` (str or bytes), read with the safe loader within the limits.

    ``name`` names the document in every message (a path, or e.g. "the 'application' variable").
    """
    # a character is at least one byte: the cheap test first, the exact one only near the limit
    size = len(text) if len(text) > max_bytes or not isinstance(text, str) else len(text.encode("utf-8"))
    if size > max_bytes:
        raise YamlBoundsError("%s: %s bytes, more than the limit of %s bytes" % (name, _number(size), _number(max_bytes)),
                              limit="max_bytes")
    # libyaml takes exactly str or bytes: Ansible hands out tagged subclasses
    text = str.__str__(text) if isinstance(text, str) else bytes(text)
    loader = _loader_class()(text)
    loader._bounds_init(name, max_aliases, max_nodes, max_depth)
    try:
        return loader.get_single_data()
    except YamlBoundsError:
        raise
    except RecursionError:
        raise YamlBoundsError("%s: nested too deeply for the YAML composer (limit %d levels)" % (name, max_depth),
                              limit="max_depth")
    except yaml.YAMLError as exc:
        # libyaml's own bound (1,000 flow levels) can fire while it reads ahead, before ours at MAX_DEPTH
        deep = "maximum nesting depth" in str(exc)
        raise YamlBoundsError("%s: not valid YAML: %s" % (name, exc), limit="max_depth" if deep else None)
    finally:
        loader.dispose()


def load_file(path, what=None, max_bytes=MAX_BYTES, max_aliases=MAX_ALIASES, max_nodes=MAX_NODES,
              max_depth=MAX_DEPTH):
    """The data of the YAML file at ``path``; ``what`` (e.g. "attestations") prefixes the name in messages.

    The size is checked with stat() before the file is opened for parsing, and the read is capped, so a file
    that grows between the two is refused as well.
    """
    name = "%s %s" % (what, path) if what else str(path)
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise YamlBoundsError("%s: cannot read: %s" % (name, exc.strerror or exc))
    if size > max_bytes:
        raise YamlBoundsError("%s: %s bytes, more than the limit of %s bytes" % (name, _number(size), _number(max_bytes)),
                              limit="max_bytes")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise YamlBoundsError("%s: cannot read: %s" % (name, exc.strerror or exc))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlBoundsError("%s: not UTF-8 text (%s)" % (name, exc))
    return load_text(text, name, max_aliases=max_aliases, max_nodes=max_nodes, max_bytes=max_bytes,
                     max_depth=max_depth)


def check_value(value, name, max_nodes=MAX_NODES, max_depth=MAX_DEPTH, max_bytes=MAX_BYTES):
    """The expanded size of already-loaded data, without copying or templating it: ``(nodes, text_bytes)``.

    Data that a YAML loader built from aliases shares one object per anchor; each is measured once (memoised by
    identity) and counted as often as it is referenced, so a billion-laughs value costs microseconds here, while
    anything that walks it (templating, JSON) would expand it.  Raises ``YamlBoundsError`` naming ``name`` and
    the limit when the value has more than ``max_nodes`` nodes, is nested deeper than ``max_depth``, holds more
    than ``max_bytes`` bytes of text (UTF-8, keys and values, expanded), or contains itself.
    """
    sizes = {}
    open_ids = set()

    def refuse(what, limit, option, hint=""):
        raise YamlBoundsError("%s: %s, more than the limit of %s%s" % (name, what, _number(limit), hint), limit=option)

    def text_bytes(text):
        # a character is 1 to 4 bytes: the exact count only where it can matter
        return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))

    def measure(item, depth):
        if isinstance(item, (str, bytes)):
            return 1, len(item) if isinstance(item, bytes) else text_bytes(item)
        if not isinstance(item, (dict, list, tuple)):
            return 1, 0
        known = sizes.get(id(item))
        if known is not None:
            return known
        if depth > max_depth:
            refuse("nesting %d levels deep" % depth, max_depth, "max_depth", " levels")
        if id(item) in open_ids:
            raise YamlBoundsError("%s: contains itself (a recursive value has no finite expansion)" % name,
                                  limit="max_nodes")
        open_ids.add(id(item))
        nodes, size = 1, 0
        children = item.items() if isinstance(item, dict) else ((None, child) for child in item)
        for key, child in children:
            if key is not None:
                knodes, ksize = measure(key, depth + 1)
                nodes, size = nodes + knodes, size + ksize
            cnodes, csize = measure(child, depth + 1)
            nodes, size = nodes + cnodes, size + csize
            if nodes > max_nodes:
                refuse("%s nodes or more with shared parts expanded" % _number(nodes), max_nodes, "max_nodes",
                       " (YAML alias bomb?)")
            if size > max_bytes:
                refuse("%s bytes of text or more with shared parts expanded" % _number(size), max_bytes,
                       "max_bytes", " bytes")
        open_ids.discard(id(item))
        # the container is kept alive by the caller's value, so its id stays unique while we walk
        sizes[id(item)] = (nodes, size)
        return nodes, size

    return measure(value, 1)
