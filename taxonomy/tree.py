"""The taxonomy tree, its assignable collections, and look-ups by id, path and name.

Levels 1 to 3 are the marketplace's collections; levels 4 and deeper only say what
goes inside a level-3 collection. A product's Type must name an *assignable*
collection: a level-3 node, or a level-1/2 node without children.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COLLECTION_DEPTH = 3
_PATH_SPLIT = re.compile(r">|///")
_NON_WORD = re.compile(r"[^0-9a-z]+")


_COMBINING = re.compile(r"[\u0300-\u036f]+")



class TaxonomyError(Exception):
    """The taxonomy file cannot be used: unreadable, empty or inconsistent."""

def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of `text`, words separated by one space."""
    low = text.casefold()
    if not low.isascii():
        low = _COMBINING.sub("", unicodedata.normalize("NFKD", low.replace("œ", "oe").replace("æ", "ae")))
    return _NON_WORD.sub(" ", low).strip()


def singular(word: str) -> str:
    """Crude French/English singular: enough to tell `Téléphonies` from `Téléphonie`."""
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def slip_key(text: str) -> str:
    """What is left of a name once case, accents, spacing, punctuation and plurals are ignored."""
    return " ".join(singular(w) for w in fold(text).split())


def split_path(text: str) -> tuple[str, ...]:
    """`A > B > C` or `A///B///C` as its level names."""
    parts = text.split(">") if "///" not in text else _PATH_SPLIT.split(text)
    return tuple(name for name in (part.strip() for part in parts) if name)


@dataclass(eq=False, slots=True)
class Node:
    """One category of the tree; `path` holds the names from level 1 down to this node."""

    id: str | None
    name: str
    path: tuple[str, ...]
    parent: Node | None = field(default=None, repr=False)
    children: list[Node] = field(default_factory=list, repr=False)

    @property
    def level(self) -> int:
        return len(self.path)

    @property
    def full_path(self) -> str:
        return " > ".join(self.path)

    @property
    def is_collection(self) -> bool:
        return self.level <= COLLECTION_DEPTH

    @property
    def is_assignable(self) -> bool:
        return self.level == COLLECTION_DEPTH or (self.level < COLLECTION_DEPTH and not self.children)

    @property
    def assignable_ancestor(self) -> Node | None:
        """The collection a product of this category goes in: itself, its level-3 ancestor, or None."""
        node: Node | None = self
        while node is not None and node.level > COLLECTION_DEPTH:
            node = node.parent
        return node if node is not None and node.is_assignable else None

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def descendants(self) -> Iterator[Node]:
        for child in self.children:
            yield child
            yield from child.descendants()

    def assignable_descendants(self) -> list[Node]:
        """The assignable collections below this node (empty for levels 3 and deeper)."""
        return [node for node in self.descendants() if node.is_assignable]


class Taxonomy:
    """A loaded tree with its indexes. Build it with `Taxonomy(entries)` or `taxonomy.load_taxonomy`.

    `entries` are (id or None, level names) pairs; missing parents are created on the way.
    """

    def __init__(
        self,
        entries: Iterable[tuple[str | None, Sequence[str]]],
        *,
        source: Path | None = None,
        version: str | None = None,
    ) -> None:
        self.source = source
        self.version = version
        self.nodes: list[Node] = []
        self.roots: list[Node] = []
        self.by_id: dict[str, Node] = {}
        self.by_path: dict[tuple[str, ...], Node] = {}
        self.by_name: dict[str, list[Node]] = {}
        for node_id, path in entries:
            self._add(node_id, tuple(path))
        if not self.nodes:
            raise TaxonomyError(f"taxonomy {source}: no category in it")
        self.collections: list[Node] = [node for node in self.nodes if node.is_assignable]
        self.collection_by_name: dict[str, Node] = {}
        for node in self.collections:
            if node.name in self.collection_by_name:
                raise TaxonomyError(f"taxonomy {source}: two collections are named {node.name!r}")
            self.collection_by_name[node.name] = node
        self._english: dict[str, tuple[str, ...]] = {}
        self._english_by_path: dict[str, str] = {}
        self.cache: dict[str, Any] = {}

    def _add(self, node_id: str | None, path: tuple[str, ...]) -> Node:
        node = self.by_path.get(path)
        if node is None:
            if not path:
                raise TaxonomyError(f"taxonomy {self.source}: empty category path")
            parent = None
            if len(path) > 1:
                parent = self.by_path.get(path[:-1]) or self._add(None, path[:-1])
            node = Node(node_id, path[-1], path, parent)
            (parent.children if parent is not None else self.roots).append(node)
            self.nodes.append(node)
            self.by_path[path] = node
            self.by_name.setdefault(node.name, []).append(node)
        elif node_id is not None and node.id != node_id:
            if node.id is not None:
                raise TaxonomyError(f"taxonomy {self.source}: {node.full_path!r} has two ids, {node.id} and {node_id}")
            node.id = node_id
        if node_id is not None:
            other = self.by_id.setdefault(node_id, node)
            if other is not node:
                raise TaxonomyError(f"taxonomy {self.source}: id {node_id} names both {other.full_path!r} "
                                   f"and {node.full_path!r}")
        return node

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        return f"Taxonomy({self.source}, {len(self.nodes)} categories, {len(self.collections)} collections)"

    @property
    def folded(self) -> tuple[list[str], list[str]]:
        """Folded names and folded full paths, aligned with `nodes` (built on first use)."""
        found = self.cache.get("folded")
        if found is None:
            names: list[str] = []
            paths: list[str] = []
            by_node: dict[int, str] = {}
            for node in self.nodes:
                name = fold(node.name)
                path = f"{by_node[id(node.parent)]} {name}" if node.parent is not None else name
                by_node[id(node)] = path
                names.append(name)
                paths.append(path)
            found = self.cache["folded"] = (names, paths)
        return found

    def _keys(self) -> tuple[dict[str, list[Node]], dict[str, Node]]:
        found = self.cache.get("keys")
        if found is None:
            names, paths = self.folded
            by_slip: dict[str, list[Node]] = {}
            for node, name in zip(self.nodes, names, strict=True):
                by_slip.setdefault(" ".join(singular(w) for w in name.split()), []).append(node)
            found = self.cache["keys"] = (by_slip, dict(zip(paths, self.nodes, strict=True)))
        return found

    def lookup_name(self, name: str) -> list[Node]:
        """Nodes named exactly `name` (several only in an operator tree that repeats deep names)."""
        return self.by_name.get(name, [])

    def lookup_slip(self, text: str) -> list[Node]:
        """Nodes whose name equals `text` once case, accents, spacing and plurals are ignored."""
        return self._keys()[0].get(slip_key(text), []) if text.strip() else []

    # ---- English names and Google product categories ------------------------

    def with_english(self, path: Path | str) -> Taxonomy:
        """This tree, also able to read English paths and ids from Google's en-US file (same ids)."""
        from taxonomy.loader import read_entries

        twin = Taxonomy.__new__(Taxonomy)
        twin.__dict__.update(self.__dict__)
        twin.cache = dict(self.cache)
        twin._english = {}
        twin._english_by_path = {}
        for node_id, names in read_entries(Path(path))[0]:
            if node_id is None:
                continue
            twin._english[node_id] = tuple(names)
            twin._english_by_path.setdefault(fold(" ".join(names)), node_id)
        return twin

    @property
    def has_english(self) -> bool:
        return bool(self._english)

    def _from_english_id(self, node_id: str) -> Node | None:
        """The French node for an English id, or its nearest ancestor that exists in French."""
        names = self._english.get(node_id)
        while names:
            found_id = self._english_by_path.get(fold(" ".join(names)))
            if found_id is not None and found_id in self.by_id:
                return self.by_id[found_id]
            names = names[:-1]
        return None

    def category(self, value: str) -> Node | None:
        """The node a Google product category names: an id, or a French or English path (or French name)."""
        text = value.strip()
        if not text:
            return None
        if text.isdigit():
            return self.by_id.get(text) or self._from_english_id(text)
        names = split_path(text)
        node = self.by_path.get(names)
        if node is not None:
            return node
        key = fold(" ".join(names))
        node = self._keys()[1].get(key)
        if node is not None:
            return node
        english_id = self._english_by_path.get(key)
        if english_id is not None:
            return self.by_id.get(english_id) or self._from_english_id(english_id)
        if len(names) == 1:
            named = self.lookup_slip(names[0])
            if len(named) == 1:
                return named[0]
        return None

    def collection_for_category(self, value: str) -> Node | None:
        """The assignable collection a Google product category goes in (None when unknown or too broad)."""
        node = self.category(value)
        return node.assignable_ancestor if node is not None else None
