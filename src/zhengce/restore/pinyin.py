"""Undo a content farm's byte-level pinyin annotation (`經(jīng)濟(jì)`).

The damage, as deduced from the corpus (file 002) — `tests/test_pinyin.py`
re-creates it and matches the file's garbage byte for byte:

1. the text was encoded in GBK;
2. for each of a fixed set of characters (the *keys*) the byte string was
   searched and ``key + b"(" + pinyin + b")"`` put in place of every match,
   one key after another.  The search ignores character boundaries, so a key
   also matches the second byte of one character plus the first byte of the
   next (a *straddle*), which splits that character in two;
3. the bytes were cut into pieces in front of some sentence punctuation
   (``。，、；？！：``, found by byte search, so sometimes in the middle of a
   character) and each piece was decoded on its own:

   * a lead byte followed by a valid trail byte is one character; a pair in
     GBK's user-defined areas (or otherwise unmapped) decodes to nothing;
   * a lead byte followed by a byte below 0x40 (the ``(`` of a pinyin group,
     a space) becomes one ``?`` that swallows both bytes;
   * a lead byte left alone at the end of a piece becomes ``?``;
4. full-width forms (``；？，`` …) were folded to ASCII.

So a character split by a straddle shows as ``?`` (its first byte swallowed
together with the ``(``) followed by the pinyin and then a run of characters
decoded one byte out of step (rare characters, stray ASCII) until a second byte
below 0x80 surfaces as an ASCII letter, or another ``?`` puts the decoder back
in step.

Reversing it: every damaged stretch starts at a ``?``.  A beam search walks the
stretch token by token, rebuilding the original bytes: a ``?`` + pinyin is the
next character's first byte, which the key (the previous byte + that byte,
read that pinyin) gives back; characters decoded out of step are re-paired one
byte over; pinyin groups are taken out.  Bytes the damage destroyed outright —
under a lone ``?``, or in a dropped user-defined pair, whose place leaves no
trace at all — are filled with characters the document itself uses (common
ones only), scored by a character trigram model of the document's intact text;
a key the document never shows intact is inferred the same way.  Every reading
is checked by running the damage forward on it: only readings that reproduce
the damaged text exactly count.  Of those the best wins if it holds at least
`_SURE` of the model's weight; below `_CERTAIN` the repair is reported as a
guess ("garbled_guess"); below `_SURE` the stretch is left alone but for its
pinyin and reported ("garbled").

Nothing here knows any phrase of any document: the key → pinyin table is
learned from the document's own well-formed annotations.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import opencc

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PYCH = "a-zü" + TONED
_GROUP = f"([{_PYCH}]{{1,8}})"

# Cheap gate: an opening parenthesis followed by a tone-marked latin word.
_GATE_RE = re.compile(f"[(（][a-zü]{{0,6}}[{TONED}]")
_CJK_RE = re.compile(f"[{CJK}]")
# A well-formed annotation: CJK host + (pinyin).
_ANN_RE = re.compile(f"([{CJK}])[(（]{_GROUP}[)）]")
# Tokens of a damaged stretch: a pinyin group whose "(" was swallowed by "?",
# a whole pinyin group, or one character.
_QPY_RE = re.compile(f"\\?{_GROUP}\\)")
_PY_RE = re.compile(f"[(（]{_GROUP}[)）]")

_MIN_ANNOTATIONS = 20  # below this the systematic pattern is not there
_TONE_SET = frozenset(TONED)
_PLAIN = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ", "aaaaeeeeiiiioooouuuuüüüü")
_SYLLABLE_RE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:a|ai|an|ang|ao|e|ei|en|eng|er|i|ia|ian|iang|iao|ie|in|ing|iong|iu|o|ong|ou"
    r"|u|ua|uai|uan|uang|ue|ui|un|uo|ü|üe|üan|ün)"
)


def _is_pinyin(word: str) -> bool:
    return bool(_SYLLABLE_RE.fullmatch(word.translate(_PLAIN)))


def _toned(word: str) -> bool:
    return not _TONE_SET.isdisjoint(word)


# --------------------------------------------------------------------- GBK model

# Sentence punctuation in front of which the stream may have been cut: the
# GBK bytes of 。 、 ， ； ？ ！ ：
_DELIM = {
    b"\xa1\xa3",
    b"\xa1\xa2",
    b"\xa3\xac",
    b"\xa3\xbb",
    b"\xa3\xbf",
    b"\xa3\xa1",
    b"\xa3\xba",
}
_UD_HI = frozenset(list(range(0xAA, 0xB0)) + list(range(0xF8, 0xFF)))  # user-defined leads, trail A1-FE
_UD_LO = frozenset(range(0xA1, 0xA8))  # user-defined leads, trail 40-A0
_PAIR: dict[int, str | None] = {}


def _pair(b1: int, b2: int) -> str | None:
    """The character a GBK pair decodes to, or None (unmapped, user-defined)."""
    k = (b1 << 8) | b2
    c = _PAIR.get(k, "")
    if c == "":
        try:
            c = bytes((b1, b2)).decode("gbk")
        except UnicodeDecodeError:
            c = None
        _PAIR[k] = c
    return c


def _is_ud(b1: int, b2: int) -> bool:
    if b1 in _UD_HI:
        return 0xA1 <= b2 <= 0xFE
    if b1 in _UD_LO:
        return 0x40 <= b2 <= 0xA0 and b2 != 0x7F
    return False


_COMMON: dict[str, bool] = {}


def _common(c: str) -> bool:
    """A character of the common sets: Big5 level 1 or GB2312 level 1 (or a
    full-width form).  Characters the damage forces us to guess come from these."""
    v = _COMMON.get(c)
    if v is None:
        v = False
        if "\uff01" <= c <= "\uff5e" or c in "。、“”《》—":
            v = True
        else:
            try:
                b = c.encode("big5")
                v = len(b) == 2 and 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E
            except UnicodeEncodeError:
                pass
            if not v:
                try:
                    b = c.encode("gb2312")
                    v = len(b) == 2 and 0xB0 <= b[0] <= 0xD7
                except UnicodeEncodeError:
                    pass
        _COMMON[c] = v
    return v


def _halfwidth(c: str) -> str:
    o = ord(c)
    return chr(o - 0xFEE0) if 0xFF01 <= o <= 0xFF5E else c


def _fold(s: str) -> str:
    return "".join(map(_halfwidth, s))


def _fullwidth(c: str) -> str:
    o = ord(c)
    return chr(o + 0xFEE0) if 0x21 <= o <= 0x7E else c


def decode_pieces(data: bytes, cuts: frozenset[int] | set[int] = frozenset()) -> str:
    """Decode like the damaging tool did: see the module docstring (steps 3-4).

    `cuts` are the byte offsets in front of which the stream was cut.
    """
    out: list[str] = []
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            out.append(chr(b))
            i += 1
            continue
        if b == 0x80 or b == 0xFF or i + 1 >= n or (i + 1) in cuts:
            out.append("?")
            i += 1
            continue
        b2 = data[i + 1]
        if b2 < 0x40 or b2 == 0x7F or b2 == 0xFF:
            out.append("?")
        else:
            c = _pair(b, b2)
            if c is not None:
                out.append(_halfwidth(c))
        i += 2
    return "".join(out)


# --------------------------------------------------------------------- language model


class _CharModel:
    """Character trigram model of the document's intact text.

    Interpolated absolute discounting; used only to choose among readings that
    all re-apply exactly to the damaged text.
    """

    D = 0.75

    def __init__(self, text: str):
        t = _fold(text)
        self.uni = Counter(t)
        self.bi = Counter(zip(t, t[1:]))
        self.tri = Counter(zip(t, t[1:], t[2:]))
        self.bi_types = Counter(a for a, _ in self.bi)
        self.follows: dict[str, list[str]] = {}
        for a, b in self.bi:
            self.follows.setdefault(a, []).append(b)
        self.tri_types = Counter((a, b) for a, b, _ in self.tri)
        self.n = max(len(t), 1)
        self._cache: dict[tuple[str, str, str], float] = {}
        # Common characters the document uses, by GBK bytes: the candidates for
        # a character one of whose bytes the damage destroyed.
        self.by_lead: dict[int, list[tuple[int, str]]] = {}
        self.by_trail: dict[int, list[tuple[int, str]]] = {}
        self.two_byte: list[tuple[int, int, str]] = []
        for c, _n in self.uni.most_common():
            o = ord(c)
            if 0x21 <= o <= 0x7E:
                c = _fullwidth(c)
            elif o < 0x80:
                continue
            if not _common(c):
                continue
            try:
                b = c.encode("gbk")
            except UnicodeEncodeError:
                continue
            if len(b) == 2:
                self.by_lead.setdefault(b[0], []).append((b[1], c))
                self.by_trail.setdefault(b[1], []).append((b[0], c))
                self.two_byte.append((b[0], b[1], c))

    def _p1(self, c: str) -> float:
        return (self.uni.get(c, 0) + 0.5) / (self.n + 0.5 * 22000)

    def _p2(self, b: str, c: str) -> float:
        types = self.bi_types.get(b, 0)
        if not types:
            return self._p1(c)
        nb = self.uni[b]
        d = self.D
        return max(self.bi.get((b, c), 0) - d, 0) / nb + d * types / nb * self._p1(c)

    def lp(self, a: str, b: str, c: str) -> float:
        """log P(c | a b)."""
        key = (a, b, c)
        v = self._cache.get(key)
        if v is None:
            a, b, c = _halfwidth(a), _halfwidth(b), _halfwidth(c)
            p = self._p2(b, c)
            types = self.tri_types.get((a, b), 0)
            if types:
                nab = self.bi[(a, b)]
                d = self.D
                p = max(self.tri.get((a, b, c), 0) - d, 0) / nab + d * types / nab * p
            v = self._cache[key] = math.log(p)
        return v

    def attested(self, *chars: str) -> bool:
        """Whether the document's intact text has this bigram or trigram."""
        k = tuple(map(_halfwidth, chars))
        return (self.bi if len(k) == 2 else self.tri).get(k, 0) > 0  # type: ignore[arg-type]

    def count(self, c: str) -> int:
        return self.uni.get(_halfwidth(c), 0)


# --------------------------------------------------------------------- the search

_BEAM = 32
_PER_STATE = 3
_BRANCH = 8  # candidates kept for a character with a destroyed byte
_POOL = 400  # most frequent characters tried when both bytes are destroyed
_TOP = 24  # of a pool, the most frequent characters always scored
_MAX_TOKENS = 200
_SETTLE = 12.0  # stop once readings back in step lead the others by this much
_CHAR_BONUS = 1.5  # per character: a longer reading is not less likely per se
_UNSUPPORTED = 4.0  # a guessed character that forms no bigram the text knows
_EAT_LP = math.log(0.3)  # an ASCII byte was swallowed by "?"
_CUT_LP = math.log(0.5)  # the stream was cut in front of punctuation
_NEWKEY_LP = math.log(0.05)  # a key never seen in an intact annotation
_SURE = 0.45  # least share of the best reading among all that re-apply, to repair
_CERTAIN = 0.9  # below this share the repair is made but reported
_EATEN = " "  # the byte assumed swallowed by a "?" that ends a run
# Holes: a byte the damage destroyed; the name says which values are possible.
_HOLE_LEAD = "lead"  # 0x81-0xFE
_HOLE_HI = "hi"  # 0xA1-0xFE (second byte of a dropped user-defined pair)
_HOLE_LO = "lo"  # 0x40-0xA0 (idem, low user-defined area)
_HOLE_UD = "ud"  # first byte of a user-defined pair

Byte = int | str  # a known byte or a hole class


def _in_class(b: int, cls: Byte) -> bool:
    if isinstance(cls, int):
        return b == cls
    if cls == _HOLE_LEAD:
        return 0x81 <= b <= 0xFE
    if cls == _HOLE_HI:
        return 0xA1 <= b <= 0xFE
    if cls == _HOLE_UD:
        return b in _UD_HI or b in _UD_LO
    return 0x40 <= b <= 0xA0 and b != 0x7F


@dataclass(slots=True)
class _Hyp:
    # Tuples, not lists: a fork shares them, and the search forks ~10^5 times.
    chars: tuple[str, ...]  # chars[:2] are left context, not part of the repair
    data: bytes  # GBK bytes of chars[2:]
    pend: Byte | None  # first byte of a character waiting for its second (None: in step)
    score: float = 0.0
    n: int = 0
    ins: tuple[tuple[int, str], ...] = ()  # pinyin inserted after byte i
    cuts: tuple[int, ...] = ()  # stream cut in front of byte i
    newkeys: tuple[tuple[bytes, str], ...] = ()
    guessed: tuple[tuple[int, Byte, Byte], ...] = ()  # char index, byte classes
    rebuilt: tuple[int, ...] = ()  # char indexes re-paired from the bytes
    key_first: int | None = None  # first byte of a new key whose second byte is `pend`
    skip_next: bool = False  # the next token was already accounted for
    fw_next: bool = False  # the next token is full-width punctuation

    def rank(self) -> float:
        return self.score + _CHAR_BONUS * self.n

    def fork(self) -> _Hyp:
        return _Hyp(
            self.chars,
            self.data,
            self.pend,
            self.score,
            self.n,
            self.ins,
            self.cuts,
            self.newkeys,
            self.guessed,
            self.rebuilt,
            self.key_first,
            self.skip_next,
            self.fw_next,
        )

    def text(self) -> str:
        return "".join(self.chars[2:])

    def add(self, lm: _CharModel, c: str) -> None:
        self.score += lm.lp(self.chars[-2], self.chars[-1], c)
        self.n += 1
        self.chars += (c,)


@dataclass(slots=True)
class _Keys:
    by_char: dict[str, str]  # host -> pinyin
    by_bytes: dict[bytes, str]
    by_lead_py: dict[tuple[int, str], list[int]]  # (first byte, pinyin) -> second bytes
    by_py: dict[str, list[bytes]]
    script: str = "both"  # of the keys: "traditional", "simplified" or "both"


@lru_cache(maxsize=2)
def _opencc(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _script(c: str) -> str:
    """"traditional" / "simplified" for a character only one script uses, else "both"."""
    if _opencc("t2s").convert(c) != c:
        return "traditional"
    if _opencc("s2t").convert(c) != c:
        return "simplified"
    return "both"


def _learn_keys(text: str) -> _Keys:
    seen: dict[str, Counter[str]] = {}
    for m in _ANN_RE.finditer(text):
        py = m.group(2)
        if _is_pinyin(py):
            seen.setdefault(m.group(1), Counter())[py] += 1
    by_char: dict[str, str] = {}
    for host, pys in seen.items():
        py, n = pys.most_common(1)[0]
        if n * 10 < sum(pys.values()) * 9:
            continue  # no single reading: not a key of a mechanical replace
        if n < 2 and not _toned(py):
            continue  # one plain latin word in brackets proves nothing
        try:
            b = host.encode("gbk")
        except UnicodeEncodeError:
            continue
        if len(b) == 2:
            by_char[host] = py
    by_bytes = {h.encode("gbk"): p for h, p in by_char.items()}
    by_lead_py: dict[tuple[int, str], list[int]] = {}
    by_py: dict[str, list[bytes]] = {}
    for b, p in by_bytes.items():
        by_lead_py.setdefault((b[0], p), []).append(b[1])
        by_py.setdefault(p, []).append(b)
    scripts = Counter(_script(c) for c in by_char)
    script = "both"
    for name, other in (("traditional", "simplified"), ("simplified", "traditional")):
        if scripts[name] > 3 * scripts[other]:
            script = name
    return _Keys(by_char, by_bytes, by_lead_py, by_py, script)


Token = tuple[str, int, int, str]  # kind (qpy / py / q / c), start, end, value


def _tokens(text: str, start: int, limit: int) -> list[Token]:
    out: list[Token] = []
    i, n = start, len(text)
    while i < n and len(out) < limit:
        ch = text[i]
        if ch == "?":
            m = _QPY_RE.match(text, i)
            if m and _is_pinyin(m.group(1)):
                out.append(("qpy", i, m.end(), m.group(1)))
                i = m.end()
                continue
            out.append(("q", i, i + 1, ch))
        elif ch in "(（":
            m = _PY_RE.match(text, i)
            if m and _is_pinyin(m.group(1)):
                out.append(("py", i, m.end(), m.group(1)))
                i = m.end()
                continue
            out.append(("c", i, i + 1, ch))
        else:
            out.append(("c", i, i + 1, ch))
        i += 1
    return out


def _delim_bytes(tok: Token | None) -> bytes | None:
    if tok is None or tok[0] not in ("c", "q"):
        return None
    try:
        b = _fullwidth(tok[3]).encode("gbk")
    except UnicodeEncodeError:
        return None
    return b if b in _DELIM else None


def _two_bytes(c: str) -> bytes | None:
    """GBK bytes of a character that is two bytes in the stream."""
    if c == "?":
        return None
    try:
        b = c.encode("gbk")
    except UnicodeEncodeError:
        return None
    return b if len(b) == 2 else None


class _Solver:
    def __init__(self, keys: _Keys, lm: _CharModel):
        self.keys = keys
        self.lm = lm
        self._pools: dict[tuple[Byte, Byte], list[tuple[int, int, str]]] = {}
        self._index: dict[tuple[Byte, Byte], dict[str, tuple[int, int, str]]] = {}
        self._scored: dict[tuple, list[tuple[float, int, int, str]]] = {}

    # -- characters for a pair some of whose bytes are destroyed
    def candidates(self, first: Byte, second: Byte) -> list[tuple[int, int, str]]:
        """Common characters of the document whose bytes fit the classes."""
        if isinstance(first, int) and isinstance(second, int):
            c = _pair(first, second)
            return [] if c is None or _is_ud(first, second) else [(first, second, c)]
        key = (first, second)
        pool = self._pools.get(key)
        if pool is None:
            lm = self.lm
            if isinstance(first, int):
                src = [(first, b2, c) for b2, c in lm.by_lead.get(first, ())]
            elif isinstance(second, int):
                src = [(b1, second, c) for b1, c in lm.by_trail.get(second, ())]
            else:
                src = lm.two_byte
            pool = [x for x in src if _in_class(x[0], first) and _in_class(x[1], second)]
            if not (isinstance(first, int) or isinstance(second, int)):
                # nothing of this character survived: only a CJK character is
                # worth guessing (an invented punctuation mark would change the
                # sentence, on no evidence at all)
                pool = [x for x in pool if "\u3400" <= x[2] <= "\u9fff"][:_POOL]
            self._pools[key] = pool
        return pool

    def _likely(self, prev: str, first: Byte, second: Byte) -> list[tuple[int, int, str]]:
        """The candidates worth scoring: the most frequent ones and those the
        document has after `prev`."""
        pool = self.candidates(first, second)
        if len(pool) <= _TOP:
            return pool
        key = (first, second)
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = {_halfwidth(x[2]): x for x in pool}
        out = pool[:_TOP]
        seen = {x[2] for x in out}
        for c in self.lm.follows.get(_halfwidth(prev), ()):
            x = index.get(c)
            if x is not None and x[2] not in seen:
                out.append(x)
                seen.add(x[2])
        return out

    def _complete(self, h: _Hyp, first: Byte, second: Byte) -> list[_Hyp]:
        """Hypotheses completing a character from these two bytes."""
        lm = self.lm
        a, b = h.chars[-2], h.chars[-1]
        # Many hypotheses share their last two characters and the byte
        # classes: score and sort their candidates once.
        ckey = (a, b, first, second)
        scored = self._scored.get(ckey)
        if scored is None:
            scored = self._scored[ckey] = sorted(
                ((lm.lp(a, b, c), b1, b2, c) for b1, b2, c in self._likely(b, first, second)), reverse=True
            )
        guessed = not (isinstance(first, int) and isinstance(second, int))
        out = []
        for lp, b1, b2, c in scored:
            g = h.fork()
            if h.key_first is not None:
                # the first byte was the second byte of a key the text never
                # shows intact: that key must be a character it does not use
                kb = bytes((h.key_first, b1))
                if not self._new_key_ok(kb):
                    continue
                g.newkeys += ((kb, g.ins[-1][1]),)
                g.key_first = None
            g.chars += (c,)
            g.data += bytes((b1, b2))
            g.score += lp
            g.n += 1
            g.rebuilt += (len(g.chars) - 1,)
            if guessed:
                g.guessed += ((len(g.chars) - 1, first, second),)
            out.append(g)
            if len(out) >= _BRANCH:
                break
        return out

    def _new_key_ok(self, kb: bytes) -> bool:
        """A key the text never shows intact: a common character of the keys'
        script that the text does not use at all."""
        c = _pair(kb[0], kb[1])
        return (
            c is not None
            and _common(c)
            and "\u3400" <= c <= "\u9fff"
            and self.lm.count(c) == 0
            and kb not in self.keys.by_bytes
            and _script(c) in (self.keys.script, "both")
        )

    def _keys_with(self, first: Byte, py: str) -> list[tuple[Byte, Byte, bool]]:
        """(first byte, second byte, unseen?) of keys read `py` starting with `first`."""
        if isinstance(first, int):
            out: list[tuple[Byte, Byte, bool]] = [
                (first, b2, False) for b2 in self.keys.by_lead_py.get((first, py), ())
            ]
        else:
            out = [(b[0], b[1], False) for b in self.keys.by_py.get(py, ()) if _in_class(b[0], first)]
        if not out and _toned(py):
            out.append((first, _HOLE_LEAD, True))
        return out

    # -- one damaged stretch
    def solve(self, toks: list[Token], left: str, until: int = 0) -> tuple[int, list[_Hyp]] | None:
        """Beam search over the tokens: (end offset, hypotheses in step at the end).

        The search ends once the readings are back in step after a "?" (and
        past offset `until`)."""
        beam = [_Hyp(tuple(left), b"", None)]
        seen = False
        for ti, tok in enumerate(toks):
            nxt = toks[ti + 1] if ti + 1 < len(toks) else None
            new: list[_Hyp] = []
            for h in beam:
                if h.skip_next:
                    g = h.fork()
                    g.skip_next = False
                    new.append(g)
                else:
                    new.extend(self._step(h, tok, nxt))
            seen = seen or tok[0] in ("q", "qpy")
            if not new:
                return None
            # a few per state (the model only sees two characters back), then the beam
            new.sort(key=_Hyp.rank, reverse=True)
            per: Counter[tuple] = Counter()
            kept: list[_Hyp] = []
            texts: set[tuple] = set()
            for h in new:
                k = (h.pend, h.chars[-2], h.chars[-1], h.skip_next, h.fw_next, h.key_first)
                t = (h.pend, h.data, h.skip_next, h.fw_next)
                if per[k] >= _PER_STATE or t in texts:
                    continue
                per[k] += 1
                texts.add(t)
                kept.append(h)
                if len(kept) >= _BEAM:
                    break
            beam = kept
            if not seen or tok[2] <= until or (nxt is not None and nxt[0] == "py"):
                continue
            settled = [h for h in beam if h.pend is None and not h.skip_next and not h.fw_next]
            if settled:
                rest = [h.rank() for h in beam if h.pend is not None or h.skip_next or h.fw_next]
                if nxt is None or not rest or settled[0].rank() - max(rest) > _SETTLE:
                    return tok[2], settled
        if seen and toks and len(toks) < _MAX_TOKENS:
            # The text ended inside the stretch: whatever is in step at the end is a reading.
            settled = [h for h in beam if h.pend is None and not h.skip_next and not h.fw_next]
            if settled:
                return toks[-1][2], settled
        return None

    def _step(self, h: _Hyp, tok: Token, nxt: Token | None) -> list[_Hyp]:
        kind, _s, _e, val = tok
        if h.pend is None:
            return self._step_in(h, kind, val, nxt)
        # one byte out of step; first, user-defined pairs that decoded to nothing
        bases = [h]
        frontier = [h]
        for _ in range(2):
            grown = [g for b in frontier for g in self._drop(b)]
            grown.sort(key=_Hyp.rank, reverse=True)
            frontier = grown[:_BRANCH]
            bases.extend(frontier)
        out = []
        for b in bases:
            out.extend(self._step_out(b, kind, val, nxt))
        return out

    def _step_in(self, h: _Hyp, kind: str, val: str, nxt: Token | None) -> list[_Hyp]:
        """In step with the original characters."""
        if kind == "c":
            c = _fullwidth(val) if h.fw_next else val
            try:
                b = c.encode("gbk")
            except UnicodeEncodeError:
                return []
            g = h.fork()
            g.fw_next = False
            g.add(self.lm, c)
            g.data += b
            return [g]
        if kind == "py":
            kb = h.data[-2:]
            if self.keys.by_bytes.get(kb) == val or (kb, val) in h.newkeys:
                g = h.fork()
                g.ins += ((len(g.data) - 1, val),)
                return [g]
            return []
        if kind == "qpy":
            # a key straddling the last character and the next one: "?" is the
            # next character's first byte with the "(" it swallowed
            if len(h.data) < 2 or h.data[-1] < 0x40:
                return []
            out = []
            for _first, second, new in self._keys_with(h.data[-1], val):
                g = h.fork()
                g.pend = second
                g.ins += ((len(g.data), val),)
                if new:
                    g.score += _NEWKEY_LP
                    g.key_first = h.data[-1]
                out.append(g)
            return out
        if kind == "q":
            out = []
            d = _delim_bytes(nxt)
            if d is not None:
                # the stream was cut inside a character (x, d[0]); the
                # punctuation's second byte starts the next character
                for g in self._complete(h, _HOLE_LEAD, d[0]):
                    g.cuts += (len(g.data) - 1,)
                    g.score += _CUT_LP
                    g.pend = d[1]
                    g.skip_next = True
                    out.append(g)
            g = h.fork()  # or a real question mark
            g.add(self.lm, "?")
            g.data += b"?"
            out.append(g)
            return out
        return []

    def _drop(self, h: _Hyp) -> list[_Hyp]:
        """The pending character's second byte and the next byte formed a
        user-defined pair, which the decoder dropped."""
        out = []
        for g in self._complete(h, h.pend, _HOLE_UD):
            g.pend = _HOLE_HI if g.data[-1] in _UD_HI else _HOLE_LO
            out.append(g)
        return out

    def _step_out(self, h: _Hyp, kind: str, val: str, nxt: Token | None) -> list[_Hyp]:
        """One byte out of step: `h.pend` is the first byte of a character."""
        out: list[_Hyp] = []
        pend = h.pend
        if kind == "c":
            o = ord(val)
            if 0x40 <= o <= 0x7E:
                # a second byte below 0x80 surfaced as ASCII: back in step
                for g in self._complete(h, pend, o):
                    g.pend = None
                    out.append(g)
            if 0x21 <= o <= 0x7E:
                # a full-width form decoded across two characters
                for g in self._complete(h, pend, 0xA3):
                    g.pend = o + 0x80
                    out.append(g)
                return out
            b = _two_bytes(val)
            if b is not None:
                for g in self._complete(h, pend, b[0]):
                    g.pend = b[1]
                    out.append(g)
            return out
        if kind == "py":
            # the bytes decoded out of step happened to form a key
            if not isinstance(pend, int) or not h.data:
                return []
            if self.keys.by_bytes.get(bytes((h.data[-1], pend))) == val:
                g = h.fork()
                g.ins += ((len(g.data), val),)
                return [g]
            return []
        if kind == "qpy":
            # a key in its place, whose "(" its own second byte swallowed
            for first, second, new in self._keys_with(pend, val):
                for g in self._complete(h, first, second):
                    if new:
                        kb = g.data[-2:]
                        if not self._new_key_ok(kb):
                            continue
                        g.score += _NEWKEY_LP
                        g.newkeys += ((kb, val),)
                    g.pend = None
                    g.ins += ((len(g.data) - 1, val),)
                    out.append(g)
            return out
        if kind == "q":
            if _delim_bytes(nxt) is not None:
                # cut in front of the punctuation, which is in step
                for g in self._complete(h, pend, _HOLE_LEAD):
                    g.pend = None
                    g.cuts += (len(g.data),)
                    g.score += _CUT_LP
                    g.fw_next = True
                    out.append(g)
            else:
                # "?" swallowed the character's second byte and one ASCII byte
                for g in self._complete(h, pend, _HOLE_LEAD):
                    g.pend = None
                    g.score += _EAT_LP
                    g.add(self.lm, _EATEN)
                    g.data += _EATEN.encode()
                    out.append(g)
            # "？" decoded across two characters, then folded to "?"
            for g in self._complete(h, pend, 0xA3):
                g.pend = 0xBF
                out.append(g)
            return out
        return out

    # -- forward check
    def verify(self, h: _Hyp, observed: str) -> bool:
        """Run the damage forward on the hypothesis; compare with the text."""
        orig = h.data
        keys = self.keys.by_bytes
        if h.newkeys:
            keys = dict(keys)
            keys.update(h.newkeys)
        ins = dict(h.ins)
        for j, p in ins.items():
            if j < 1 or keys.get(orig[j - 1 : j + 1]) != p:
                return False
        for j in range(1, len(orig)):
            # every key is annotated unless an earlier insertion split it
            if j not in ins and (j - 1) not in ins and orig[j - 1 : j + 1] in keys:
                return False
        stream = bytearray()
        where = []
        for j, b in enumerate(orig):
            where.append(len(stream))
            stream.append(b)
            if j in ins:
                stream += b"(" + ins[j].encode("gbk") + b")"
        cuts = set()
        for c in h.cuts:
            k = where[c] if c < len(where) else None
            if k is None or bytes(stream[k : k + 2]) not in _DELIM:
                return False
            cuts.add(k)
        return decode_pieces(bytes(stream), cuts) == _fold(observed)

    # -- choosing
    def final_rank(self, h: _Hyp, right: str) -> float | None:
        """Model score of a finished reading; None if it guesses a character of
        which no byte survived and which the document never uses in that context."""
        lm = self.lm
        score = h.score
        cs = h.chars
        for c in right:
            score += lm.lp(cs[-2], cs[-1], c)
            cs = cs + (c,)
        cs = cs + ("\n",)
        for i in h.rebuilt:
            # bytes re-paired into a rare character the document never uses
            if not _common(cs[i]) and not lm.count(cs[i]):
                score -= _UNSUPPORTED
        for i, first, second in h.guessed:
            if isinstance(first, str) and isinstance(second, str):
                if not any(lm.attested(*cs[j : j + 3]) for j in range(i - 2, i + 1)):
                    return None
            elif not (lm.attested(cs[i - 1], cs[i]) or lm.attested(cs[i], cs[i + 1])):
                score -= _UNSUPPORTED
        return score + _CHAR_BONUS * h.n


def find_pinyin_repairs(
    text: str,
) -> tuple[list[tuple[int, int, str]], list[tuple[int, str, str]], dict[str, int]]:
    """Return (edits, notes, counts).

    edits: sorted, non-overlapping (start, end, replacement) on `text`: removing an
      annotation is (i, j, ""); a garbled spot is replaced by the reconstructed
      original characters (still Traditional — a later OpenCC pass simplifies).
    notes: (offset in text, kind, message) for spots it could not reverse ("garbled":
      left as they are, but for their pinyin) and for repairs that are the best of
      several readings the text allows ("garbled_guess": made, but worth a look).
    counts: {"pinyin": n_annotations_removed, "pinyin_garbled": n_spots_restored}.

    Only a text with the systematic pattern (at least `_MIN_ANNOTATIONS`
    CJK + "(tone-marked pinyin)" annotations) is touched; any other text costs
    one regular-expression scan.
    """
    counts = {"pinyin": 0, "pinyin_garbled": 0}
    if not _systematic(text):
        return [], [], counts
    keys = _learn_keys(text)
    if not keys.by_char:
        return [], [], counts

    # Damage starts at a "?": a straddled key swallowed the next character's
    # first byte with its "(", or the stream was cut inside a character.
    marks = [m.start() for m in re.finditer(r"\?", text)]
    starts = [_window_start(text, q) for q in marks]
    solver = _Solver(keys, _CharModel(_intact(text, starts, marks)))
    readings = set(keys.by_char.values())

    edits: list[tuple[int, int, str]] = []
    notes: list[tuple[int, str, str]] = []
    done = 0
    last: tuple[int, int, int, dict[str, int]] | None = None
    for q, ws in zip(marks, starts):
        if q < done:
            continue
        if ws < done and last is not None:
            # the character before this "?" ends the stretch just repaired:
            # redo both as one stretch
            ws = last[0]
            del edits[last[1] :], notes[last[2] :]
            counts = dict(last[3])
        last = (ws, len(edits), len(notes), dict(counts))
        res = _repair(solver, text, ws, q)
        if res is None:
            continue  # a question mark of the text itself
        we, repl, n_py, note = res
        if repl:
            edits.append((ws, we, repl))
            counts["pinyin"] += n_py
            if note is None or note[0] != "garbled":  # a □-masked spot is not restored
                counts["pinyin_garbled"] += 1
        else:
            # leave the characters; take out only what is clearly inserted pinyin
            for kind, s, e, py in _tokens(text, q, we - q):
                if e > we:
                    break
                if kind == "qpy" or (kind == "py" and py in readings):
                    edits.append((s + (kind == "qpy"), e, ""))
                    counts["pinyin"] += 1
        if note:
            notes.append((q, note[0], note[1]))
        done = we
    edits.sort()
    merged = _merge_plain(text, keys, edits, counts)
    return _sweep_stray(text, readings, merged, notes, counts), notes, counts


def _sweep_stray(text: str, readings: set[str], edits, notes, counts) -> list[tuple[int, int, str]]:
    """A key's pinyin left after a non-CJK host (``,F(xiàn)`` where the search
    found no reading, e.g. at the very end of a text) is still inserted text:
    remove it and report the spot, so no annotation survives silently."""
    spans = [(s, e) for s, e, _r in edits]
    extra = []
    for m in _PY_RE.finditer(text):
        if m.group()[1:-1] not in readings or (m.start() > 0 and "\u4e00" <= text[m.start() - 1] <= "\u9fff"):
            continue
        if any(s <= m.start() < e for s, e in spans):
            continue
        extra.append((m.start(), m.end(), ""))
        notes.append((m.start(), "garbled", f"{text[max(m.start() - 4, 0) : m.end()]!r}: pinyin removed, the characters before it may be damaged"))
        counts["pinyin"] += 1
    return sorted(edits + extra) if extra else edits


def _systematic(text: str) -> bool:
    """At least `_MIN_ANNOTATIONS` CJK(tone-marked pinyin) annotations.

    One scan for "(" + tone-marked latin, which a clean text passes in a few
    milliseconds per megabyte."""
    n = 0
    for m in _GATE_RE.finditer(text):
        i = m.start()
        g = _PY_RE.match(text, i)
        if g and i and _CJK_RE.match(text, i - 1) and _is_pinyin(g.group(1)):
            n += 1
            if n >= _MIN_ANNOTATIONS:
                return True
    return False


def _window_start(text: str, q: int) -> int:
    """Offset of the character before the "?" (before its own annotation)."""
    i = q
    if i > 0 and text[i - 1] in ")）":
        j = max(text.rfind("(", max(i - 10, 0), i), text.rfind("（", max(i - 10, 0), i))
        if j > 0 and _PY_RE.fullmatch(text, j, i):
            i = j
    return max(i - 1, 0)


_SENTENCE_END = re.compile(r"[。\n]")


def _run_end(text: str, q: int) -> int:
    """Where the text decoded out of step after the "?" at `q` probably ends:
    at the next "?" or at an ASCII letter that is a surfaced second byte."""
    toks = _tokens(text, q, 80)
    first = 2 if toks and toks[0][0] == "q" and _delim_bytes(toks[1] if len(toks) > 1 else None) else 1
    for kind, s, e, v in toks[first:]:
        if kind in ("qpy", "q") or (kind == "c" and 0x40 <= ord(v) <= 0x7E):
            return e
        if v == "\n":
            return s
    return toks[-1][2] if toks else q + 1


def _intact(text: str, starts: list[int], marks: list[int]) -> str:
    """The text without annotations and without the damaged stretches."""
    parts = []
    pos = 0
    for ws, q in zip(starts, marks):
        if q < pos:
            continue
        parts.append(text[pos : max(ws + 1, pos)])
        parts.append("\n")
        pos = _run_end(text, q)
    parts.append(text[pos:])
    return _PY_RE.sub("", "".join(parts))


def _context(text: str, i: int, step: int) -> str:
    """Two characters of context before (step -1) or after (step 1) `i`, skipping annotations."""
    out = []
    while len(out) < 2:
        if step < 0:
            if i <= 0:
                out.append("\n")
                continue
            if text[i - 1] in ")）":
                j = max(text.rfind("(", max(i - 10, 0), i), text.rfind("（", max(i - 10, 0), i))
                if j >= 0 and _PY_RE.fullmatch(text, j, i):
                    i = j
                    continue
            i -= 1
            out.append(text[i])
        else:
            if i >= len(text):
                out.append("\n")
                continue
            m = _PY_RE.match(text, i)
            if m:
                i = m.end()
                continue
            out.append(text[i])
            i += 1
    return "".join(reversed(out)) if step < 0 else "".join(out)


Repair = tuple[int, str, int, tuple[str, str] | None]


def _repair(solver: _Solver, text: str, ws: int, q: int) -> Repair | None:
    """Reconstruct the stretch starting at `ws`.

    Returns (end, replacement, pinyin groups removed, note or None); replacement
    "" with a "garbled" note means: leave the stretch alone.  None: the "?" is
    the text's own question mark.
    """
    toks = _tokens(text, ws, _MAX_TOKENS + q - ws)
    res = solver.solve(toks, _context(text, ws, -1), until=q)
    if res is None:
        m = _SENTENCE_END.search(text, q)
        near = text[max(q - 3, 0) : q + 12]
        return (m.start() if m else len(text)), "", 0, ("garbled", f"{near!r}: no reading gets back in step")
    we, beam = res
    observed = text[ws:we]
    right = _context(text, we, 1)
    ranked: dict[str, tuple[float, _Hyp]] = {}
    for h in beam:
        r = solver.final_rank(h, right)
        if r is None:
            continue
        t = _fold(h.text())
        if (t not in ranked or r > ranked[t][0]) and solver.verify(h, observed):
            ranked[t] = (r, h)
    if not ranked:
        return we, "", 0, ("garbled", f"{observed!r}: no reconstruction re-applies to it")
    order = sorted(ranked.items(), key=lambda kv: kv[1][0], reverse=True)
    best_text, (top, best) = order[0]
    z = sum(math.exp(r - top) for _, (r, _h) in order)
    share = 1 / z
    shares = ", ".join(f"{t} {math.exp(r - top) / z:.0%}" for t, (r, _h) in order[:3])
    if best_text == _PY_RE.sub("", observed):
        # the text's own question mark, most likely
        if share < _CERTAIN:
            return we, "", 0, ("garbled", f"{observed!r}: left as it is, but it may be damaged ({shares})")
        return None
    if share < _SURE:
        # What all likely readings agree on is restored; the characters they
        # disagree on are lost: shown as □, the printer's mark for a missing
        # character, and reported with the candidates.
        likely = [t for t, (r, _h) in order if math.exp(r - top) / z >= 0.1] or [best_text]
        masked = _mask_disagreement(likely)
        why = f"{observed!r}: readings too close to choose, restored as {masked!r} ({shares})"
        return we, masked, len(best.ins), ("garbled", why)
    lm = solver.lm
    rebuilt = [best.chars[i] for i in best.rebuilt]
    odd = "".join(c for c in rebuilt if not _common(c) and not lm.count(c))
    if odd:
        # bytes re-paired into a rare character the document never uses:
        # more likely a byte was lost there than that the text had it
        why = f"{observed!r} read as {best_text!r}, but {odd} is doubtful ({shares})"
        return we, best_text, len(best.ins), ("garbled_guess", why)
    if share < _CERTAIN:
        why = f"{observed!r} read as {best_text!r} ({shares})"
        return we, best_text, len(best.ins), ("garbled_guess", why)
    return we, best_text, len(best.ins), None


def _mask_disagreement(readings: list[str]) -> str:
    """Common prefix + □ for the part the readings disagree on + common suffix."""
    first = readings[0]
    pre = len(os.path.commonprefix(readings))
    suf = len(os.path.commonprefix([r[pre:][::-1] for r in readings]))
    middle = len(first) - pre - suf
    return first[:pre] + "□" * max(middle, 1) + first[len(first) - suf :]


def _merge_plain(text: str, keys: _Keys, edits, counts) -> list[tuple[int, int, str]]:
    """Add the removal of every intact annotation outside the edited stretches."""
    out = []
    ei = 0
    for m in _ANN_RE.finditer(text):
        s, e = m.start(2) - 1, m.end()
        while ei < len(edits) and edits[ei][1] <= s:
            out.append(edits[ei])
            ei += 1
        if ei < len(edits) and edits[ei][0] < e:
            continue
        if keys.by_char.get(m.group(1)) == m.group(2):
            out.append((s, e, ""))
            counts["pinyin"] += 1
    out.extend(edits[ei:])
    return out
