"""Text → search terms: segmentation with a domain dictionary, synonyms, number terms.

The same function segments node text at index time and the query at search
time, so whatever normalization happens here happens on both sides:

- width and case are folded (NFKC: `１．５％` → `1.5%`), thousands separators dropped;
- words come from rjieba (the Rust port of jieba, ~8 M chars/s) in search mode,
  so a long word also yields its dictionary sub-words (财政收入 → 财政, 收入, 财政收入);
- organization and place names are added to its dictionary from the entity
  gazetteer (zhengce/data), so they stay whole, and an abbreviation becomes its
  canonical form on both sides (工信厅 and 工业和信息化厅 are one term);
- a number with its unit is one more term (`1000万元`), so an exact amount is a
  rare, strongly weighted term;
- function words and question words (的, 和, 多少, 什么) are dropped.

`VERSION` names this behaviour: stored rows made by another version are re-indexed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import rjieba

VERSION = 5

DATA = Path(__file__).resolve().parent.parent / "data"

# Function words of policy prose and the words people put around a question.
# Dropped on both sides: they carry no topic and would dilute the coverage score.
STOPWORDS = frozenset(
    """的 地 得 了 着 和 与 及 以及 并 并且 或 或者 等 等等 在 对 对于 为 是 有 由 从 把 被 将 向 于 按
    其 之 也 又 还 就 都 而 则 即 以 所 该 此 这 那 这些 那些 各 每 个 给 让 使 可 可以 能 要 应 应当
    需 需要 进一步 有关 相关 方面 工作 一批 一 二 三 四 五 六 七 八 九 十 年 月 日 号
    多少 什么 哪些 哪个 哪里 哪儿 怎么 怎样 如何 怎么样 吗 呢 吧 啊 么 谁 几 多 请问 请 问
    我 我们 你 你们 他 他们 它 公司 我司 本 本人 能否 是否 有没有 可否 想 知道 一下 情况 规定 政策
    多少钱 几天 几条 几个 几家 几折 打几折 多远 有多远 多长 多大 多高 多久 是不是 能不能 可不可以 会不会
    拿来 指的是 指 哪几 什么样 怎么办 咋 呀 嘛""".split()
)
# 公司, 政策, 情况, 规定: every enterprise question contains them and nearly every
# node of a policy corpus is "a 政策"; they only add noise to the ranking.

_NUMBER_UNIT = re.compile(
    r"(\d+(?:\.\d+)?)\s*(万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千|百)?\s*"
    r"(元|美元|人次|人|户|家|个|项|吨|千瓦时|千瓦|兆瓦|万千瓦|公里|千米|米|平方公里|平方米|亩|公顷|辆|台|套|张|次|天|年|%|‰|倍)"
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_KEEP = re.compile(r"[\w%‰]")  # a term needs at least one word character


def normalize(text: str) -> str:
    """Fold width and case; same length is not kept (callers that need offsets use `tokens_with_spans`)."""
    return _THOUSANDS.sub("", unicodedata.normalize("NFKC", text)).lower()


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    """Written form → canonical form, from the entity gazetteer (no corpus text)."""
    from ..extract.entities import _gaz, canonical_place

    g = _gaz()
    syn: dict[str, str] = {}
    for written, body in g.bodies.items():
        syn[written] = body.canonical
    for written, canon in g.orgs.items():
        syn[written] = canon
    for line in (DATA / "policy_synonyms.txt").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            written, canon = (x.strip() for x in line.split("=", 1))
            syn[normalize(written)] = canon
    for name in g.place_names:
        # Only unambiguous short forms: 湘潭 → 湘潭市, but 吉林 (province or city) stays as written.
        full, code = canonical_place(name)
        if code and len(name) >= 3 and full != name:
            syn[name] = full
    # A two-character word inside its "canonical" form is a generic word, not an
    # abbreviation (政府 is not always 人民政府; 国办 is always 国务院办公厅).
    return {k: v for k, v in syn.items() if k != v and len(k) >= 2 and not (len(k) == 2 and k in v)}


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    """Every place and organization name the gazetteer knows, short forms included."""
    from ..extract.entities import _gaz

    g = _gaz()
    return frozenset(set(g.place_names) | set(g.orgs) | set(g.orgs.values()) | set(_synonyms().values()))


_YEAR_TERM = re.compile(r"^(19|20)\d\d年?$")


def is_key_term(term: str) -> bool:
    """A name, a year or a policy term: a question about it is about *that*.

    If such a term occurs nowhere in the corpus, the corpus cannot answer the
    question (深圳 in a Jilin corpus, 2040年 in plans that end in 2035), however
    well the other words match.
    """
    return term in _names() or term in _policy_set() or bool(_YEAR_TERM.match(term))


@lru_cache(maxsize=1)
def _policy_set() -> frozenset[str]:
    return frozenset(_policy_terms())


@lru_cache(maxsize=1)
def segmenter() -> rjieba.Jieba:
    from ..extract.entities import _gaz

    jb = rjieba.Jieba()
    g = _gaz()
    words: set[str] = set(_synonyms()) | set(_synonyms().values())
    words |= {n for n in g.place_names if len(n) >= 3}
    words |= set(_policy_terms())
    for w in sorted(words):
        if 2 <= len(w) <= 20:
            # A high count makes the dictionary path win over splitting the name.
            jb.add_word(w, 50000, None)
    return jb


@lru_cache(maxsize=1)
def _policy_terms() -> list[str]:
    path = DATA / "policy_terms.txt"
    return [w.strip() for w in path.read_text(encoding="utf-8").split() if w.strip() and not w.startswith("#")]


def _word_terms(norm: str) -> Iterator[str]:
    syn = _synonyms()
    for w in segmenter().cut_for_search(norm):
        w = w.strip()
        if not w or w in STOPWORDS or not _KEEP.search(w):
            continue
        yield syn.get(w, w)


def number_terms(norm: str) -> list[str]:
    """`1,000 万元` → `1000万元`: a quantity as one term, so an exact amount matches exactly."""
    return [f"{m.group(1)}{m.group(2) or ''}{m.group(3)}" for m in _NUMBER_UNIT.finditer(norm)]


_QUOTED = re.compile(r"[“\"「『]([\w·]{2,10})[”\"」』]")


def quoted_terms(norm: str) -> list[str]:
    """Words a document puts in quotes (“个转企”, “一网通办”): its own coinages, kept whole.

    This is how the dictionary grows from the corpus: such a term becomes one
    index term, and a query whose adjacent words spell a known term is read
    as that term (engine._merge_known).
    """
    return [m.group(1) for m in _QUOTED.finditer(norm) if m.group(1) not in STOPWORDS]


def terms(text: str) -> list[str]:
    """All search terms of `text`, with repetitions (term frequency matters)."""
    norm = normalize(text)
    words = list(_word_terms(norm))
    have = set(words)
    return words + number_terms(norm) + [q for q in quoted_terms(norm) if q not in have]


def query_terms(text: str) -> list[str]:
    """The distinct terms of a query, in order of first appearance."""
    return list(dict.fromkeys(terms(text)))


def tokens_with_spans(text: str) -> list[tuple[str, int, int]]:
    """(term, start, end) over the original `text`, for highlighting.

    NFKC can change length (rare: ligatures, some compatibility characters), so
    segmentation runs per character-normalized copy only when lengths agree;
    otherwise on the text as is, which still finds every same-width match.
    """
    norm = normalize(text)
    base = norm if len(norm) == len(text) else text.lower()
    syn = _synonyms()
    out = []
    for w, s, e in segmenter().tokenize(base, "search"):
        if w.strip() and w not in STOPWORDS and _KEEP.search(w):
            out.append((syn.get(w, w), s, e))
    for m in _NUMBER_UNIT.finditer(base):
        out.append((f"{m.group(1)}{m.group(2) or ''}{m.group(3)}", m.start(), m.end()))
    return out


_PHRASE = re.compile(r"[\"“”「」『』]([^\"“”「」『』]{1,60})[\"“”「」『』]")


class Group:
    """One word of a query with the sub-words search mode also produced (财政收入: 财政, 收入).

    A node covers the group fully when it has the whole word, partly (by length)
    when it has only sub-words; the group counts once in the coverage score.
    """

    __slots__ = ("surface", "head", "members")

    def __init__(self, surface: str, head: str, members: list[str]):
        self.surface = surface
        self.head = head
        self.members = members

    def __repr__(self) -> str:
        return f"Group({self.head!r}, {self.members!r})"


def query_groups(query: str) -> list[Group]:
    norm = normalize(query)
    syn = _synonyms()
    spans = [(w, s, e) for w, s, e in segmenter().tokenize(norm, "search") if w.strip() and _KEEP.search(w)]
    spans += [(f"{m.group(1)}{m.group(2) or ''}{m.group(3)}", m.start(), m.end()) for m in _NUMBER_UNIT.finditer(norm)]
    # Heads: spans not inside a longer span; ties (same extent) keep the first.
    spans.sort(key=lambda x: (x[1], -(x[2] - x[1])))
    groups: list[Group] = []
    seen: set[str] = set()
    head_start, head_end = -1, -1  # extent of the last head
    for w, s, e in spans:
        if groups and s >= head_start and e <= head_end:
            term = syn.get(w, w)
            if w not in STOPWORDS and term not in groups[-1].members and term != groups[-1].head:
                groups[-1].members.append(term)
            continue
        head_start, head_end = s, e
        if w in STOPWORDS:
            groups.append(Group(w, "", []))  # kept only to swallow its sub-words
            continue
        term = syn.get(w, w)
        groups.append(Group(w, term, []))
    out = []
    for g in groups:
        if g.head and g.head not in seen:
            seen.add(g.head)
            out.append(g)
    return out


def phrases(query: str) -> list[str]:
    """Quoted parts of a query ("…", “…”, 「…」): they must occur literally."""
    return [normalize(m.group(1)).strip() for m in _PHRASE.finditer(query) if m.group(1).strip()]
