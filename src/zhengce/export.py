"""Extraction records to CSV and XLSX, one table per type, each row with its citation."""

from __future__ import annotations

from .present import inert_row, inert_workbook

import csv
import json
from collections import defaultdict
from pathlib import Path

from .model import Extraction

_BASE = ["doc", "doc_key", "node", "line_start", "line_end", "quote", "citation"]


def _rows(records: list[Extraction]) -> dict[str, tuple[list[str], list[list]]]:
    by_type: dict[str, list[Extraction]] = defaultdict(list)
    for r in records:
        by_type[r.type].append(r)
    out = {}
    for type_, recs in by_type.items():
        fields: list[str] = []
        for r in recs:
            fields += [f for f in r.fields if f not in fields]
        header = _BASE + fields
        rows = []
        for r in recs:
            citation = f"{r.doc or r.doc_key} · {r.node} · L{r.line_start}-{r.line_end}：{r.quote}"
            base = [r.doc, r.doc_key, r.node, r.line_start, r.line_end, r.quote, citation]
            rows.append(base + [_cell(r.fields.get(f)) for f in fields])
        out[type_] = (header, rows)
    return out


def _cell(v):
    # Lists and objects (conditions, amounts, units) stay machine-readable as JSON.
    return json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v


def export_csv(records: list[Extraction], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for type_, (header, rows) in sorted(_rows(records).items()):
        path = folder / f"{type_}.csv"
        # utf-8-sig: Excel opens it with the Chinese intact.
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(inert_row(r) for r in rows)  # exported cells never run as formulas
        written.append(path)
    return written


def export_xlsx(records: list[Extraction], path: Path) -> list[Path]:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for type_, (header, rows) in sorted(_rows(records).items()):
        ws = wb.create_sheet(type_)
        ws.append(header)
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "A2"
    if not wb.sheetnames:
        wb.create_sheet("empty")
    path.parent.mkdir(parents=True, exist_ok=True)
    inert_workbook(wb).save(path)
    return [path]
