"""Many enterprises × many rules at once: the push list (免申即享) and the reverse question.

Facts become columns over the profiles — numbers as float64 with NaN for
unknown; other facts as codes into their distinct values — and each condition
becomes a tri-state column (2 true, 1 unknown, 0 false).  A rule's status is
the minimum over its conditions, which is exactly the rule of evaluate.py
(any false → ineligible, all true → eligible, else unknown); numeric
conditions run through the same NumPy kernels as one profile does, and the
others through the same per-value function, evaluated once per distinct value.
Identical conditions shared by several rules are computed once.

    b = Batch(profiles, rules, as_of="2022-06-30")
    b.status            # (rules, profiles) int8: 2 eligible, 1 unknown, 0 ineligible
    b.push_list()       # rows: one per enterprise and rule it is eligible for
    b.reverse(rule_id)  # rows: every enterprise with its status for one rule
"""

from __future__ import annotations

from ..present import inert, inert_workbook

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from .evaluate import _MISSING, FALSE, STATUS, TRUE, UNKNOWN, _amount_dict, _as_of, amount_arrays, check, is_numeric, numeric_kernel, validity, value_state
from .profile import Profile
from .rules import Condition, Rule


class Batch:
    def __init__(self, profiles: list[Profile], rules: list[Rule], as_of: Any = None, *, with_tiers: bool = True):
        self.profiles = profiles
        self.rules = [r for r in rules if r.active]
        self.as_of = _as_of(as_of)
        self.n = len(profiles)
        self._num: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[np.ndarray, list[Any]]] = {}
        self._cond: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._tier: dict[int, np.ndarray] = {}
        self._index = {r.id: j for j, r in enumerate(self.rules)}
        self.status = np.empty((len(self.rules), self.n), dtype=np.int8)
        for j, rule in enumerate(self.rules):
            ok, _ = validity(rule, self.as_of)
            if not ok:
                self.status[j] = FALSE
                continue
            state = np.full(self.n, TRUE, dtype=np.int8)
            tier = None
            for c in rule.conditions:
                s, t = self._condition(c)
                np.minimum(state, s, out=state)
                if with_tiers and rule.benefit.tier_amounts:
                    tier = t if tier is None else np.where(tier >= 0, tier, t)  # the first condition that picks a tier
            self.status[j] = state
            if tier is not None:
                self._tier[j] = tier

    # -- columns

    def column(self, name: str) -> np.ndarray:
        """A number (or true/false) fact over the profiles; NaN where unknown."""
        col = self._num.get(name)
        if col is None:
            col = np.full(self.n, np.nan)
            for i, p in enumerate(self.profiles):
                v = p.values.get(name)
                if v is not None and not isinstance(v, (str, frozenset)):
                    col[i] = float(v)
            self._num[name] = col
        return col

    def _values(self, name: str) -> tuple[np.ndarray, list[Any]]:
        got = self._codes.get(name)
        if got is None:
            index: dict[Any, int] = {}
            codes = np.empty(self.n, dtype=np.int32)
            for i, p in enumerate(self.profiles):
                if name in p.values:
                    v = p.values[name]
                    if name == "listing_board" and v is None:
                        v = "未上市"
                else:
                    v = _MISSING
                codes[i] = index.setdefault(v, len(index))
            got = (codes, list(index))
            self._codes[name] = got
        return got

    def _condition(self, c: Condition) -> tuple[np.ndarray, np.ndarray | None]:
        key = json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True, default=str)
        got = self._cond.get(key)
        if got is None:
            got = self._compute(c)
            self._cond[key] = got
        return got

    def _compute(self, c: Condition) -> tuple[np.ndarray, np.ndarray | None]:
        if c.group is not None:
            parts = [self._condition(a) for a in c.group]
            reduce = np.maximum if c.any is not None else np.minimum
            tier = np.full(self.n, -1)
            for _s, t in parts:
                tier = np.where(tier >= 0, tier, t)
            return reduce.reduce([s for s, _t in parts]).astype(np.int8), tier
        if is_numeric(c):
            return numeric_kernel(c, self.column)
        codes, uniques = self._values(c.fact)
        states = np.array([value_state(c, u) for u in uniques], dtype=np.int8)
        return states[codes], np.full(self.n, -1)

    # -- results

    def rule_index(self, rule_id: str) -> int:
        try:
            return self._index[rule_id]
        except KeyError:
            raise KeyError(f"no rule {rule_id!r}") from None

    def amounts(self, j: int) -> dict[str, np.ndarray]:
        """The computed amount of rule j for every profile (arrays lo, hi, applied, base, count)."""
        tier = self._tier.get(j, np.full(self.n, -1))
        return amount_arrays(self.rules[j], self.column, tier, self.n)

    def counts(self) -> dict[str, int]:
        return {STATUS[s]: int((self.status == s).sum()) for s in (TRUE, UNKNOWN, FALSE)}

    def missing(self, i: int, j: int) -> list[str]:
        """The facts enterprise i lacks for rule j (computed for this one pair)."""
        out: list[str] = []
        for c in self.rules[j].conditions:
            res, _ = check(c, self.profiles[i])
            if res.state == UNKNOWN:
                out += [m for m in res.missing if m not in out]
        return out

    def row(self, i: int, j: int, amounts: dict[str, np.ndarray] | None = None) -> dict[str, Any]:
        rule = self.rules[j]
        amounts = amounts if amounts is not None else self.amounts(j)
        a = _amount_dict(rule, amounts, i)
        status = STATUS[int(self.status[j, i])]
        src = rule.source
        return {
            "enterprise": self.profiles[i].name, "rule": rule.id, "title": rule.title, "status": status,
            "amount_min": a["min"], "amount_max": a["max"], "unit": a["unit"], "cap_applied": bool(a["cap"] and a["cap"]["applied"]),
            "formula": a["formula"], "missing": "、".join(self.missing(i, j)) if status == "unknown" else "",
            "agencies": "、".join(rule.agencies), "where_to_apply": rule.where_to_apply or "",
            "doc": src.get("doc") or "", "doc_number": src.get("doc_number") or "", "node": src.get("node"),
            "line_start": src.get("line_start"), "line_end": src.get("line_end"), "quote": src.get("quote"),
        }

    def push_list(self, include_unknown: bool = False) -> list[dict[str, Any]]:
        """Per enterprise, every rule it is eligible for (免申即享), with the computed amount;
        with include_unknown, also the rules it may qualify for and what is missing."""
        wanted = (TRUE, UNKNOWN) if include_unknown else (TRUE,)
        rows = []
        for j in range(len(self.rules)):
            hit = np.nonzero(np.isin(self.status[j], wanted))[0]
            if len(hit):
                amounts = self.amounts(j)
                rows += [self.row(int(i), j, amounts) for i in hit]
        order = {STATUS[TRUE]: 0, STATUS[UNKNOWN]: 1}
        rows.sort(key=lambda r: (r["enterprise"], order[r["status"]], r["rule"]))
        return rows

    def reverse(self, rule_id: str) -> list[dict[str, Any]]:
        """For one rule: every enterprise of the register, eligible first."""
        j = self.rule_index(rule_id)
        amounts = self.amounts(j)
        rows = [self.row(i, j, amounts) for i in range(self.n)]
        order = {"eligible": 0, "unknown": 1, "ineligible": 2}
        return sorted(rows, key=lambda r: (order[r["status"]], r["enterprise"]))


COLUMNS = ["enterprise", "rule", "title", "status", "amount_min", "amount_max", "unit", "cap_applied", "formula",
           "missing", "agencies", "where_to_apply", "doc", "doc_number", "node", "line_start", "line_end", "quote"]


def write_rows(rows: list[dict[str, Any]], path: Path) -> None:
    """CSV (UTF-8 with BOM, so Excel shows the Chinese) or XLSX, by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "push_list"
        ws.append(COLUMNS)
        for r in rows:
            ws.append([r.get(c) for c in COLUMNS])
        inert_workbook(wb).save(path)  # a firm name =HYPERLINK(…) stays text
        return
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows({k: inert(v) for k, v in r.items()} for r in rows)
