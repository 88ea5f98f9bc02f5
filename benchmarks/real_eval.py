"""How right zhengce is on real documents from all of China: the development corpus
(`../shared/corpus/china/`, read where it lies) against hand-written gold
(`benchmarks/gold_china/*.json`, written from the text before the parser ran; see its README).

    python benchmarks/real_eval.py [--corpus DIR] [--json] [--misses FIELD]

Prints, per field, how many gold values the pipeline gets right, then the same
per document kind and per damage kind (from MANIFEST.md).  Fields:

- documents  the number of documents found in the file equals the gold count
- title, doc_number, issuer, date  per gold document, after normalising width,
  spaces and brackets (发文字号), or the set of organs (issuer)
- top_labels, second_level, articles  per part (the body, then each attachment
  present in the file): the top outline labels in order, the count one level
  below, the 第X条 count
- target, statistic  a record of that type on the anchor's line with value, unit
  and year all right
- duty  a duty record on the anchor's line whose lead units are the gold's
- benefit  a benefit record on the anchor's line with the gold amount (or rate)
- grounded  share of all records whose quote is exactly text[span]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "benchmarks" / "gold_china"
CORPUS = ROOT.parent / "shared" / "corpus" / "china"

FIELDS = ("documents", "title", "doc_number", "issuer", "date", "top_labels", "second_level", "articles",
          "target", "statistic", "duty", "benefit")

# MANIFEST damage wording → damage kind (a file can have several).
DAMAGE = {
    "crawl_wrapper": ("markdown crawl", "crawl wrapper", "检索时间"),
    "web_chrome": ("site header", "site nav", "breadcrumb", "footer", "文件下载", "原文下载", "WeChat article"),
    "html_tags": ("tag-stripped",),
    "pkulaw_export": ("北大法宝",),
    "split_title": ("title split", "split over", "heading split", "split across lines", "2-line title"),
    "letter_spaced": ("letter-spaced",),
    "js_residue": ("JS residue", "JS code residue", "mini-program"),
    "no_title": ("no title", "body only", "starting at the addressee", "without the covering notice"),
    "crlf": ("CRLF",),
    "typos": ("typos", "WRONG title"),
}


def norm(s: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


_BRACKETS = str.maketrans({c: "〔" for c in "[(【〖［（﹝"} | {c: "〕" for c in "])】〗］）﹞"})


def norm_number(s: str | None) -> str:
    return norm(s).translate(_BRACKETS)


def norm_label(s: str | None) -> str:
    return norm(s).rstrip("、.．:：")


def organs(s: str | None) -> frozenset[str]:
    return frozenset(x for x in re.split(r"[、，,；;\s]+", unicodedata.normalize("NFKC", s or "")) if x)


def manifest(corpus: Path) -> dict[str, dict]:
    out = {}
    for line in (corpus / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[0].endswith(".txt"):
            kinds = [k.strip().split("/")[0] for k in cells[3].split(";") if k.strip()]
            damage = [d for d, words in DAMAGE.items() if any(w.lower() in cells[4].lower() for w in words)]
            out[cells[0]] = {"province": cells[2], "kinds": kinds, "damage": damage or ["clean"]}
    return out


@dataclass
class Tally:
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, name: str, ok: bool) -> None:
        self.total[name] += 1
        self.right[name] += bool(ok)

    def share(self, name: str) -> float | None:
        return self.right[name] / self.total[name] if self.total[name] else None


@dataclass
class Miss:
    file: str
    field: str
    want: object
    got: object


# ------------------------------------------------------------------ predicted structure

_OUTLINE = {"part", "chapter", "section", "heading", "item"}


def parts_of(doc) -> list[dict]:
    """The document's parts as the scorer sees them: the body, then each attachment container
    (an `attachment` node other nodes hang under), each with its top labels and counts."""
    parents = {n.parent for n in doc.nodes if n.parent}
    containers = [n for n in doc.nodes if n.kind == "attachment" and n.id in parents]
    bounds = [c.start for c in containers]
    parts = [{"title": None, "nodes": []}] + [{"title": c.title or c.text, "nodes": [], "id": c.id} for c in containers]
    for n in doc.nodes:
        k = sum(1 for b in bounds if n.start >= b)
        parts[k]["nodes"].append(n)
    out = []
    for p in parts:
        roots = {None, p.get("id")}
        top = [n for n in p["nodes"] if n.label and n.kind in _OUTLINE and n.parent in roots]
        top_ids = {n.id for n in top}
        second = [n for n in p["nodes"] if n.label and n.kind in _OUTLINE | {"box"} and n.parent in top_ids]
        out.append({"title": p["title"], "top_labels": [norm_label(n.label) for n in top],
                    "second_level": len(second), "articles": sum(n.kind == "article" for n in p["nodes"])})
    return out


# ------------------------------------------------------------------ scoring one file

def _line_of(source_text: str, anchor: str) -> int | None:
    want = norm(anchor)
    for i, line in enumerate(source_text.split("\n"), 1):
        if want and want in norm(line):
            return i
    return None


def _num_eq(a, b) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return abs(float(a) - float(b)) < 1e-9
    except (TypeError, ValueError):
        return False


def _fact_ok(kind: str, gold: dict, rec) -> bool:
    f = rec.fields
    if kind in ("target", "statistic"):
        return _num_eq(f.get("value"), gold.get("value")) and norm(f.get("unit")) == norm(gold.get("unit")) \
            and f.get("year") == gold.get("year")
    if kind == "duty":
        return [norm(x) for x in f.get("lead") or []] == [norm(x) for x in gold.get("lead") or []]
    if kind == "benefit":
        if gold.get("amount"):
            a, g = f.get("amount") or {}, gold["amount"]
            return _num_eq(a.get("min"), g.get("min")) and _num_eq(a.get("max"), g.get("max")) \
                and norm(a.get("unit")) == norm(g.get("unit"))
        return _num_eq(f.get("rate"), gold.get("rate"))
    return False


_GOLD_KEY = {"target": "targets", "statistic": "statistics", "duty": "duties", "benefit": "benefits"}


def score_file(path: Path, gold: dict, tally: Tally, misses: list[Miss]) -> dict:
    from zhengce.pipeline import parse_paths

    (item,) = list(parse_paths([path], with_extractions=True))
    name = path.name
    if item.error:
        docs, recs, text = [], [], ""
    else:
        docs, recs, text = item.documents, [r for rs in item.extractions for r in rs], item.source.text
    grounded = sum(d.text[r.start:r.end] == r.quote for d, rs in zip(docs, item.extractions or []) for r in rs)
    gdocs = gold["documents"]
    tally.add("documents", len(docs) == len(gdocs))
    if len(docs) != len(gdocs):
        misses.append(Miss(name, "documents", len(gdocs), len(docs)))
    for i, g in enumerate(gdocs):
        d = _pair(g, docs, i)
        checks = {
            "title": (norm(g.get("title")), norm(d.title) if d else None),
            "doc_number": (norm_number(g.get("doc_number")), norm_number(d.doc_number) if d else None),
            "issuer": (organs(g.get("issuer")), organs(d.issuer) if d else None),
            "date": (g.get("date"), d.date if d else None),
        }
        for fld, (want, got) in checks.items():
            tally.add(fld, want == got)
            if want != got:
                misses.append(Miss(name, fld, want, got))
        pparts = parts_of(d) if d else []
        for j, gp in enumerate(g.get("parts") or []):
            pp = pparts[j] if j < len(pparts) else None
            want_top = [norm_label(x) for x in gp.get("top_labels") or []]
            for fld, want, got in (("top_labels", want_top, pp and pp["top_labels"]),
                                   ("second_level", gp.get("second_level_count", 0), pp and pp["second_level"]),
                                   ("articles", gp.get("article_count", 0), pp and pp["articles"])):
                tally.add(fld, want == got)
                if want != got:
                    misses.append(Miss(name, f"{fld}[{j}]", want, got))
        for kind, key in _GOLD_KEY.items():
            for gf in g.get(key) or []:
                line = _line_of(text, gf["anchor"])
                cands = [r for r in recs if r.type == kind and line is not None and r.line_start <= line <= r.line_end]
                ok = any(_fact_ok(kind, gf, r) for r in cands)
                tally.add(kind, ok)
                if not ok:
                    got = [{k: r.fields.get(k) for k in ("indicator", "value", "unit", "year", "lead", "amount", "rate")
                            if k in r.fields} for r in cands] if line else f"anchor not found: {gf['anchor']}"
                    misses.append(Miss(name, kind, {k: v for k, v in gf.items() if k != "indicator"}, got))
    return {"records": len(recs), "grounded": grounded}


def _pair(g: dict, docs: list, i: int):
    """The predicted document a gold document is scored against: same 发文字号, else same title, else by position."""
    for key, val in (("doc_number", norm_number(g.get("doc_number"))), ("title", norm(g.get("title")))):
        if val:
            hit = [d for d in docs if (norm_number(d.doc_number) if key == "doc_number" else norm(d.title)) == val]
            if len(hit) == 1:
                return hit[0]
    return docs[i] if i < len(docs) else None


# ------------------------------------------------------------------ the whole corpus

def evaluate(corpus: Path = CORPUS, gold_dir: Path = GOLD) -> dict:
    meta = manifest(corpus)
    overall, by_kind, by_damage = Tally(), defaultdict(Tally), defaultdict(Tally)
    misses: list[Miss] = []
    records = grounded = 0
    files = sorted(gold_dir.glob("*.json"))
    for gpath in files:
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        path = corpus / gold["file"]
        if not path.exists():
            continue
        t = Tally()
        res = score_file(path, gold, t, misses)
        records += res["records"]
        grounded += res["grounded"]
        info = meta.get(gold["file"], {"kinds": ["?"], "damage": ["?"]})
        for tally in [overall] + [by_kind[k] for k in info["kinds"]] + [by_damage[d] for d in info["damage"]]:
            for f in FIELDS:
                tally.total[f] += t.total[f]
                tally.right[f] += t.right[f]
    return {"files": len(files), "overall": overall, "by_kind": dict(by_kind), "by_damage": dict(by_damage),
            "misses": misses, "grounded": grounded / records if records else 1.0, "records": records}


def _row(name: str, t: Tally) -> str:
    cells = []
    for f in FIELDS:
        s = t.share(f)
        cells.append("–" if s is None else f"{s:.2f}")
    return f"| {name} | " + " | ".join(cells) + " |"


def table(res: dict) -> str:
    head = "| | " + " | ".join(FIELDS) + " |\n|---|" + "---:|" * len(FIELDS)
    lines = [head, _row("**all**", res["overall"]),
             "| *n* | " + " | ".join(str(res["overall"].total[f]) for f in FIELDS) + " |"]
    lines += [_row(f"kind: {k}", t) for k, t in sorted(res["by_kind"].items())]
    lines += [_row(f"damage: {k}", t) for k, t in sorted(res["by_damage"].items())]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--json", action="store_true", help="shares per field as JSON")
    ap.add_argument("--misses", metavar="FIELD", help="list the misses of a field (or 'all')")
    args = ap.parse_args()
    if not (args.corpus / "MANIFEST.md").exists():
        print(f"错误：找不到开发语料 {args.corpus}（应在检出目录旁的 shared/corpus/china）", file=sys.stderr)
        return 2
    res = evaluate(args.corpus)
    if args.json:
        print(json.dumps({f: res["overall"].share(f) for f in FIELDS} | {"grounded": res["grounded"]}, ensure_ascii=False))
    else:
        print(f"{res['files']} files, {res['records']} records, grounded {res['grounded']:.3f}\n")
        print(table(res))
    if args.misses:
        for m in res["misses"]:
            if args.misses in ("all", m.field) or m.field.startswith(args.misses + "["):
                print(f"{m.file}\t{m.field}\twant {m.want!r}\tgot {m.got!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
