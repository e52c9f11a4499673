"""Checking a product's Type, and finding the collections that fit a word or a product.

Ranking: every category name of the tree (all levels) is cut into accent-free, singular
words weighted by rarity, and read the way French names are built: the head noun first,
coordinated alternatives each read alone (`Imprimantes, copieurs et télécopieurs`), the
words after the head or a preposition only qualifying it (`Casques` *de sécurité*). The
words of the Type, the title and the start of the description (earlier words weigh more:
French titles name the product first) are matched against that vocabulary with rapidfuzz,
so typos and plurals still match. Each reading is scored by cosine similarity; one whose
head noun the query does not name fits less (`Accessoires pour scies` for a saw), and a
level-4+ category counts for its assignable collection at a discount and read with the names
between them, so that the collection the query names wins over one that only holds a deeper
category of that name (`Lampes` over `Ampoules > Lampes à LED`). A collection is also scored
with its parents' names (its path), which is how a fitting level-1/2 category leads to its
best sub-collection. The Type as a whole is also matched against every name with rapidfuzz,
for typos that span words. The indexes are built once per tree.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from taxonomy.tree import Node, Taxonomy, fold, singular, split_path

UNKNOWN = "taxonomy.type_unknown"
NOT_LEAF = "taxonomy.type_not_leaf"
TOO_DEEP = "taxonomy.type_too_deep"
MAX_SUGGESTIONS = 3

_STOPWORDS = frozenset({
    "a", "au", "aux", "avec", "ce", "ces", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "leur", "ou",
    "par", "pour", "sans", "sous", "sur", "un", "une", "and", "for", "of", "with",
})
# Everyday seller words that Google's category names never use, mapped to the words they do use.
_SELLER_WORDS: tuple[tuple[str, str], ...] = (
    ("coque", "housse"),
    ("etui", "housse"),
    ("iphone", "telephone mobile"),
    ("smartphone", "telephone mobile"),
    ("gsm", "telephone mobile"),
    ("tshirt", "haut"),
    ("teeshirt", "haut"),
    ("polo", "haut"),
    ("debardeur", "haut"),
    ("blouse", "haut"),
    ("sweat", "haut"),
    ("pull", "haut"),
    ("basket", "chaussure"),
    ("sneaker", "chaussure"),
    ("laptop", "ordinateur portable"),
    ("pc portable", "ordinateur portable"),
    ("visseuse", "perceuse"),
)
_SELLER_PATTERN = re.compile(r"\b(" + "|".join(re.escape(word) for word, _ in _SELLER_WORDS) + r")s?\b")
_SELLER_MAP = dict(_SELLER_WORDS)
_TAG = re.compile(r"<[^>]*>")
_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_COORDINATION = re.compile(r"[,&]")
_PREPOSITIONS = frozenset({"a", "au", "aux", "avec", "d", "de", "des", "du", "en", "par", "pour", "sans", "sous",
                           "sur"})
# A word that only qualifies a category's head noun weighs this much in its name.
_MODIFIER = 0.7
# A category whose head noun the query does not name (`Accessoires pour scies` for `scie`) fits less.
_HEAD_MISSED = 0.6
# A level-4+ category counts for its collection at this factor: a collection named by
# the query beats one that only holds a deeper category of that name (`Lampes` over `Ampoules > Lampes à LED`).
_DEEP = 0.85
# ... and is read with the names between it and its collection, at this weight.
_PATH_WEIGHT = 0.3
# A seller word translated into the tree's words (see _SELLER_WORDS) keeps this share of its weight as itself.
_SELLER_ORIGINAL = 0.5
_WORD_CUTOFF = 80.0
_NAME_CUTOFF = 85.0
_PREFIX = 5
_FUZZY_MIN = 6
_PARENT_WEIGHT = 0.5
_RESCORED = 30
_BROAD_HITS = 5
_BROAD_SIZE = 60
_WHOLE_MAX = 40
_RELATIVE_CUTOFF = 0.4
_DESCRIPTION_WORDS = 60
_WEIGHTS = {"type": 1.0, "title": 1.0, "description": 0.3}
_WORD_DECAY = 0.35
_LAST_WORD = 0.4


@dataclass(frozen=True, slots=True)
class TypeVerdict:
    """What the Type check found; `code` is None when the Type is a valid collection."""

    code: str | None
    suggestions: list[str] = field(default_factory=list)
    safe_fix: str | None = None
    level: int | None = None
    ancestor: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is None


@dataclass(frozen=True, slots=True)
class SearchHit:
    name: str
    path: str
    score: float


def _without_tags(text: str) -> str:
    """`text` with its tags made spaces. No tag closes past the last `>`: searched there, the pattern would
    scan the rest of the text from every `<` (quadratic on `<<<<…`)."""
    cut = text.rfind(">") + 1
    return _TAG.sub(" ", text[:cut]) + text[cut:]


def _compound(text: str) -> str:
    """`fold` keeping hyphenated words whole: `Haut-parleurs` is one word, not `haut` and `parleurs`."""
    return fold(_HYPHEN.sub("", text))


def _is_word(word: str) -> bool:
    """A word worth matching: two characters or more, letters (and digits, as in `3D`), not a stopword."""
    return len(word) > 1 and word.isalnum() and not word.isdigit() and word not in _STOPWORDS


def _folded_words(folded: str) -> list[str]:
    return [singular(w) for w in folded.split() if _is_word(w)]


def _readings(name: str) -> list[dict[str, float]]:
    """The ways a category name can be read, each a word -> weight vector (its head noun at 1).

    French names put the head noun first and coordinate alternatives: `Imprimantes, copieurs et
    télécopieurs` is read as three names. The words after the head (`photo` in `Appareils photo`)
    and after a preposition (`de sécurité`, `pour perceuses et visseuses`) only qualify it, at
    `_MODIFIER`; coordinated qualifiers are alternatives too (`pour perceuses` or `pour visseuses`).
    """
    tokens = _compound(_COORDINATION.sub(" et ", name)).split()
    heads: list[list[str]] = [[]]
    qualifiers: list[list[str]] = []
    for token in tokens:
        if token in _PREPOSITIONS:
            qualifiers.append([])
        elif token == "et":
            (qualifiers or heads).append([])
        else:
            (qualifiers[-1] if qualifiers else heads[-1]).append(token)
    groups = [words for words in (_folded_words(" ".join(q)) for q in qualifiers) if words] or [[]]
    readings: list[dict[str, float]] = []
    for segment in heads:
        words = _folded_words(" ".join(segment))
        if not words:
            continue
        for group in groups:
            reading = dict.fromkeys(words[1:] + group, _MODIFIER)
            reading[words[0]] = 1.0
            readings.append(reading)
    if not readings:  # no head noun: the qualifiers are all there is
        words = [word for group in groups for word in group]
        readings = [dict.fromkeys(words, 1.0)] if words else []
    return readings


@dataclass(frozen=True, slots=True)
class _Reading:
    """One reading of a name, ready to score: each word with its weight x idf², its norm, its head nouns."""

    terms: tuple[tuple[str, float], ...]
    norm: float
    heads: frozenset[str]

    def fit(self, touched: dict[str, float], query_norm: float) -> float:
        dot = 0.0
        for word, value in self.terms:
            if word in touched:
                dot += touched[word] * value
        if not dot:
            return 0.0
        value = dot / (query_norm * self.norm)
        return value if not self.heads.isdisjoint(touched) else value * _HEAD_MISSED


class _Index:
    """Per-tree matching data, built once and kept in `Taxonomy.cache`."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        nodes = taxonomy.nodes
        self.nodes = nodes
        self.position = position = {id(node): i for i, node in enumerate(nodes)}
        self.names = taxonomy.folded[0]
        names = [_readings(node.name) for node in nodes]
        node_words: list[set[str]] = [set().union(*readings) for readings in names]
        self.depth_factor = [_DEEP if node.level > 3 else 1.0 for node in nodes]
        self.order_by_length = sorted(range(len(nodes)), key=lambda i: len(self.names[i]))
        self.names_by_length = [self.names[i] for i in self.order_by_length]
        self.name_lengths = [len(name) for name in self.names_by_length]
        frequency: dict[str, int] = defaultdict(int)
        for ws in node_words:
            for w in ws:
                frequency[w] += 1
        total = len(nodes)
        self.idf = {w: math.log(1 + total / n) for w, n in frequency.items()}
        self.max_idf = max(self.idf.values(), default=1.0)
        self.vocabulary = list(self.idf)
        self.sorted_vocabulary = sorted(self.idf)
        # Every reading of every category, flattened for scoring by postings: its node, norm, and which
        # words it holds at what weight (and which of them are head nouns).
        self.reading_node: list[int] = []
        self.reading_norm: list[float] = []
        self.reading_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.head_postings: dict[str, list[int]] = defaultdict(list)
        for i, (node, readings) in enumerate(zip(nodes, names, strict=True)):
            path = self._path_words(node, node_words)
            for weights in readings:
                reading = self._reading({**path, **weights})
                r = len(self.reading_node)
                self.reading_node.append(i)
                self.reading_norm.append(reading.norm)
                for w, value in reading.terms:
                    self.reading_postings[w].append((r, value))
                for w in reading.heads:
                    self.head_postings[w].append(r)
        # Nodes come parents first, so a deep node's collection is its parent's.
        self.target: list[int | None] = []
        for i, node in enumerate(nodes):
            if node.level > 3 and node.parent is not None:
                self.target.append(self.target[position[id(node.parent)]])
            else:
                self.target.append(i if node.is_assignable else None)
        self.broad: dict[int, list[int]] = defaultdict(list)
        self.context: dict[int, list[_Reading]] = {}
        for node in taxonomy.collections:
            home = position[id(node)]
            parents: dict[str, float] = {}
            for parent in node.ancestors():
                self.broad[position[id(parent)]].append(home)
                parents.update(dict.fromkeys(node_words[position[id(parent)]], _PARENT_WEIGHT))
            self.context[home] = [self._reading({**parents, **weights}) for weights in names[home]]
        self.similar_cache: dict[str, list[tuple[str, float]]] = {}
        self.whole_cache: dict[str, dict[int, float]] = {}

    def _path_words(self, node: Node, node_words: list[set[str]]) -> dict[str, float]:
        """A level-4+ category is read in its collection: the names from there down qualify it, at
        `_PATH_WEIGHT` (`Lampes à LED` is one of the `Ampoules`)."""
        weights: dict[str, float] = {}
        for parent in node.ancestors():
            if parent.level < 3:
                break
            weights.update(dict.fromkeys(node_words[self.position[id(parent)]], _PATH_WEIGHT))
        return weights

    def _reading(self, weights: dict[str, float]) -> _Reading:
        idf = self.idf
        squares = 0.0
        terms, heads = [], []
        for w, weight in weights.items():  # one pass: this runs for every reading of every category
            value = idf[w]
            squares += (weight * value) ** 2
            terms.append((w, weight * value ** 2))
            if weight == 1.0:
                heads.append(w)
        return _Reading(tuple(terms), math.sqrt(squares) or 1.0, frozenset(heads))

    def similar(self, word: str) -> list[tuple[str, float]]:
        """Vocabulary words close to `word`, with a similarity in (0, 1]."""
        found = self.similar_cache.get(word)
        if found is not None:
            return found
        if word in self.idf:
            found = [(word, 1.0)]
        elif not word.isalpha():  # `18v`, `x200`: a model or a size, matched exactly or not at all
            found = []
        else:
            close: dict[str, float] = {}
            if len(word) >= _FUZZY_MIN:
                hits = process.extract(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=_WORD_CUTOFF, limit=4)
                close = {w: (score / 100.0) ** 2 for w, score, _ in hits}
            if len(word) >= _PREFIX:
                # `perceus` for `perceuse`, `telephon` for `telephonie`: a shared start of 5+ letters.
                start = bisect.bisect_left(self.sorted_vocabulary, word)
                for w in self.sorted_vocabulary[start:start + 4]:
                    if w.startswith(word):
                        close.setdefault(w, 0.6)
                for end in range(_PREFIX, len(word)):
                    if word[:end] in self.idf:
                        close.setdefault(word[:end], 0.6)
            found = list(close.items())
        if len(self.similar_cache) < 50_000:
            self.similar_cache[word] = found
        return found

    def whole(self, text: str) -> dict[int, float]:
        """Nodes whose name is close to `text` as a whole (a typo in a category name)."""
        key = fold(text)
        found = self.whole_cache.get(key)
        if found is None:
            found = {}
            # fuzz.ratio >= 85 needs lengths within a ratio of about 0.74.
            low = bisect.bisect_left(self.name_lengths, int(len(key) * 0.74))
            high = bisect.bisect_right(self.name_lengths, int(len(key) / 0.74) + 1)
            if key and high > low:
                hits = process.extract(key, self.names_by_length[low:high], scorer=fuzz.ratio,
                                       score_cutoff=_NAME_CUTOFF, limit=5)
                found = {self.order_by_length[low + n]: (score / 100.0) ** 2 for _, score, n in hits}
            if len(self.whole_cache) < 50_000:
                self.whole_cache[key] = found
        return found

    def query(self, parts: dict[str, str]) -> dict[str, tuple[float, bool]]:
        """Weighted query words from the Type, title and description (seller words translated).

        Each word says whether it may match loosely: description words must match exactly,
        as long texts hold many words that only look like category words.
        """
        weighted: dict[str, tuple[float, bool]] = {}
        for part, text in parts.items():
            if not text:
                continue
            if part == "description":
                text = " ".join(_without_tags(text).split()[:_DESCRIPTION_WORDS])
            folded = _compound(text)
            found = [(n, token, 1.0) for n, token in enumerate(folded.split())]
            translated: set[int] = set()
            n = last = 0
            for match in _SELLER_PATTERN.finditer(folded):
                n, last = n + folded.count(" ", last, match.start()), match.start()
                translated.add(n)
                found += [(n, w, 1.0) for w in _SELLER_MAP[match.group(1)].split()]
            for k, (n, token, share) in enumerate(found):
                word = singular(token)
                if not _is_word(word):
                    continue
                if n in translated and k == n:
                    # The seller's word stands for the category words; as itself it names something else
                    # (`coque` is a phone case to sellers, a key shell in the tree): it keeps a lesser weight.
                    share = _SELLER_ORIGINAL
                # French titles name the product first: later words mostly qualify it.
                weight = share * _WEIGHTS[part] * max(_LAST_WORD, 1.0 / (1.0 + _WORD_DECAY * n))
                if weighted.get(word, (0.0, False))[0] < weight:
                    weighted[word] = (weight, part != "description")
        return weighted

    def matches(self, parts: dict[str, str]) -> tuple[dict[str, float], float]:
        """Vocabulary words the query touches, each with its best weight x similarity, and the query's norm."""
        touched: dict[str, float] = {}
        norm = 0.0
        for word, (weight, loose) in self.query(parts).items():
            close = self.similar(word) if loose else [(word, 1.0)] if word in self.idf else []
            norm += (weight * max((self.idf[v] for v, _ in close), default=self.max_idf)) ** 2
            for vocab_word, sim in close:
                if touched.get(vocab_word, 0.0) < weight * sim:
                    touched[vocab_word] = weight * sim
        return touched, math.sqrt(norm) or 1.0

    def node_scores(self, touched: dict[str, float], norm: float) -> dict[int, float]:
        """How well each category the query touches fits it: the cosine similarity between the query and
        the category's best reading (see `_readings`), less when its head noun is missed or it sits deep."""
        dot: dict[int, float] = defaultdict(float)
        headed: set[int] = set()
        for word, value in touched.items():
            for r, weight in self.reading_postings[word]:
                dot[r] += value * weight
            headed.update(self.head_postings[word])
        scores: dict[int, float] = {}
        for r, value in dot.items():
            i = self.reading_node[r]
            value *= self.depth_factor[i] / (norm * self.reading_norm[r])
            if r not in headed:
                value *= _HEAD_MISSED
            if value > scores.get(i, 0.0):
                scores[i] = value
        return scores

    def context_score(self, home: int, touched: dict[str, float], norm: float) -> float:
        """How well the query fits a collection's name read with its parents' names (its path)."""
        return max((reading.fit(touched, norm) for reading in self.context[home]), default=0.0)

    def rank(self, parts: dict[str, str], *, within: Iterable[int] | None = None) -> list[tuple[int, float]]:
        """Assignable collections best first, each with a score in [0, 1]."""
        touched, norm = self.matches(parts)
        scores = self.node_scores(touched, norm)
        if 0 < len(parts.get("type", "")) <= _WHOLE_MAX:
            for i, value in self.whole(parts["type"]).items():
                scores[i] = max(scores.get(i, 0.0), value)
        allowed = set(within) if within is not None else None
        best: dict[int, float] = {}
        broad_hits: list[tuple[float, int]] = []
        target = self.target
        for i, value in scores.items():
            home = target[i]
            if home is None:
                if i in self.broad:
                    broad_hits.append((value, i))
            elif (allowed is None or home in allowed) and value > best.get(home, 0.0):
                best[home] = value
        pool = {home for home, _ in sorted(best.items(), key=lambda item: -item[1])[:_RESCORED]}
        # The sub-collections of a fitting broad category are candidates too, judged with their parents' names.
        for _, i in sorted(broad_hits, reverse=True)[:_BROAD_HITS]:
            below = self.broad[i]
            if len(below) <= _BROAD_SIZE:
                pool.update(c for c in below if allowed is None or c in allowed)
        ranked = []
        for home in pool:
            ranked.append((home, min(1.0, max(best.get(home, 0.0), self.context_score(home, touched, norm)))))
        ranked.sort(key=lambda item: (-item[1], item[0]))
        return ranked


def _index(taxonomy: Taxonomy) -> _Index:
    found = taxonomy.cache.get("suggest")
    if found is None:
        found = taxonomy.cache["suggest"] = _Index(taxonomy)
    return found


def prepare(taxonomy: Taxonomy) -> None:
    """Build the matching indexes now rather than on the first check."""
    _index(taxonomy)


def _names(index: _Index, ranked: list[tuple[int, float]], limit: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for i, _ in ranked:
        name = index.nodes[i].name
        if name not in seen:
            seen.add(name)
            out.append(name)
        if len(out) >= limit:
            break
    return out


def suggest_collections(taxonomy: Taxonomy, type_value: str = "", *, title: str = "", description: str = "",
                        limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Up to `limit` assignable collection names that fit the Type and the product, best first."""
    index = _index(taxonomy)
    ranked = index.rank({"type": type_value, "title": title, "description": description})
    if ranked:
        floor = _RELATIVE_CUTOFF * ranked[0][1]
        ranked = [(home, score) for home, score in ranked if score >= floor]
    return _names(index, ranked, limit)


def _best_of(index: _Index, nodes: list[Node], title: str, description: str, limit: int) -> list[str]:
    """Rank a fixed set of collections by the product's title and description (tree order breaks ties)."""
    order = [index.position[id(node)] for node in nodes]
    scored = dict(index.rank({"title": title, "description": description}, within=order))
    order.sort(key=lambda i: -scored.get(i, 0.0))
    return [index.nodes[i].name for i in order[:limit]]


def _named_verdict(taxonomy: Taxonomy, named: list[Node], title: str, description: str,
                   *, slip: bool) -> TypeVerdict | None:
    """The verdict for a value that names tree nodes exactly (or, with `slip`, nearly)."""
    index = _index(taxonomy)
    assignable = [node for node in named if node.is_assignable]
    if assignable:
        exact = assignable[0].name
        if not slip:
            return TypeVerdict(None, level=assignable[0].level)
        # The seller meant this collection: other suggestions would only blur the fix.
        return TypeVerdict(UNKNOWN, [exact], safe_fix=exact, level=assignable[0].level)
    broad = [node for node in named if node.level < 3]
    if broad:
        node = broad[0]
        below = node.assignable_descendants()
        return TypeVerdict(NOT_LEAF, _best_of(index, below, title, description, MAX_SUGGESTIONS), level=node.level)
    homes: dict[str, Node] = {}
    for node in named:
        home = node.assignable_ancestor
        if home is not None:
            homes.setdefault(home.name, home)
    if not homes:
        return None
    level = min(node.level for node in named)
    if len(homes) == 1:
        (home,) = homes.values()
        return TypeVerdict(TOO_DEEP, [home.name], safe_fix=home.name, level=level, ancestor=home.name)
    ranked = _best_of(index, list(homes.values()), title, description, MAX_SUGGESTIONS)
    return TypeVerdict(TOO_DEEP, ranked, level=level, ancestor=ranked[0])


def check_type(taxonomy: Taxonomy, type_value: str, *, title: str = "", description: str = "") -> TypeVerdict:
    """Judge a product's Type against the tree (pure: the tree is only read)."""
    exact = taxonomy.collection_by_name.get(type_value)
    if exact is not None:
        return TypeVerdict(None, level=exact.level)
    named = taxonomy.lookup_name(type_value)
    if named:
        verdict = _named_verdict(taxonomy, named, title, description, slip=False)
        if verdict is not None:
            return verdict
    slipped = taxonomy.lookup_slip(type_value)
    if not slipped and len(split_path(type_value)) > 1:
        # A full path such as `Appareils électroniques > Communications > Téléphonie` names one node.
        node = taxonomy.category(type_value)
        slipped = [node] if node is not None else []
    if slipped:
        verdict = _named_verdict(taxonomy, slipped, title, description, slip=True)
        if verdict is not None:
            return verdict
    return TypeVerdict(UNKNOWN, suggest_collections(taxonomy, type_value, title=title, description=description))


def search(taxonomy: Taxonomy, text: str, limit: int = 10) -> list[SearchHit]:
    """Collections that fit a word or a product title, best first, scored 0-100."""
    index = _index(taxonomy)
    hits: list[SearchHit] = []
    seen: set[str] = set()
    for node in taxonomy.lookup_slip(text):
        home = node.assignable_ancestor
        if home is not None and home.name not in seen:
            seen.add(home.name)
            hits.append(SearchHit(home.name, home.full_path, 100.0))
    ranked = index.rank({"type": text, "title": text})
    floor = _RELATIVE_CUTOFF * ranked[0][1] if ranked else 0.0
    for i, score in ranked:
        if len(hits) >= limit or score < floor:
            break
        node = index.nodes[i]
        if node.name not in seen:
            seen.add(node.name)
            hits.append(SearchHit(node.name, node.full_path, round(min(99.9, 100.0 * score), 1)))
    return hits[:limit]
