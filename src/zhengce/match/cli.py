"""Commands: zhengce match … and zhengce rules … (registered by zhengce.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..present import amount_range

rules_app = typer.Typer(no_args_is_help=True, help="Rules from benefit clauses: list, show, export for review, import reviewed ones.")


def register(app: typer.Typer) -> None:
    app.command("match")(match_cmd)
    app.add_typer(rules_app, name="rules")


def _cli():
    from .. import cli  # the main module: its --db, console and error line

    return cli


def _fail(msg: str, code: int = 2) -> None:
    _cli()._error(msg)
    raise typer.Exit(code)


def _book(store, rules_file: Optional[Path]):
    from .book import RuleBook
    from .rules import RuleError, parse_rules_text

    book = RuleBook.load(store)
    if rules_file is None:
        return book
    try:
        extra = parse_rules_text(rules_file.read_text(encoding="utf-8"), str(rules_file))
    except (OSError, RuleError) as e:
        _fail(str(e))
    by_id = {r.id: r for r in book.rules}
    for r in extra:
        r.origin = "reviewed"
        by_id[r.id] = r
    return RuleBook(list(by_id.values()))


def match_cmd(
    profile: Annotated[Optional[Path], typer.Option("--profile", help="An enterprise profile (.yaml, .json, or a one-row .csv).")] = None,
    saved: Annotated[Optional[str], typer.Option("--saved", help="A profile saved in the database under this name.")] = None,
    enterprises: Annotated[Optional[Path], typer.Option("--enterprises", help="A register of enterprises (.csv, .yaml, .json): the push list.")] = None,
    rule: Annotated[Optional[str], typer.Option("--rule", help="With --enterprises: which enterprises qualify for this rule (reverse mode).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD; default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines: one object per rule (or per row).")] = False,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Push list / reverse list to FILE.csv or FILE.xlsx.")] = None,
    include_unknown: Annotated[bool, typer.Option("--include-unknown", help="Push list: also rules an enterprise may qualify for.")] = False,
    rules_file: Annotated[Optional[Path], typer.Option("--rules", help="Reviewed rules (YAML) to use over the stored ones, without storing them.")] = None,
    list_facts: Annotated[bool, typer.Option("--list-facts", help="The facts a profile can state, with units (and the rules' own).")] = False,
):
    """政策直达: which rules an enterprise is eligible for, why, and how much."""
    from datetime import date

    from .batch import Batch, write_rows
    from .book import get_profile
    from .evaluate import match
    from .profile import ProfileError, load_profile, load_profiles

    cli = _cli()
    if as_of is not None:
        try:
            as_of = date.fromisoformat(as_of).isoformat()
        except ValueError:
            _fail(f"--as-of: {as_of!r} is not a date YYYY-MM-DD")
    with cli._store() as store:
        book = _book(store, rules_file)
        if list_facts:
            _print_facts(book, as_json)
            return
        if sum(x is not None for x in (profile, saved, enterprises)) != 1:
            _fail("give one of --profile FILE, --saved NAME, --enterprises FILE (or --list-facts)")
        try:
            if enterprises is not None:
                profiles = load_profiles(enterprises)
            elif saved is not None:
                profiles = [get_profile(store, saved)]
            else:
                profiles = [load_profile(profile)]
        except (ProfileError, KeyError) as e:
            _fail(str(e).strip("'\""))
    if enterprises is None:
        results = match(profiles[0], book, as_of)
        if as_json:
            for r in results:
                sys.stdout.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
        else:
            _print_results(profiles[0], results, as_of)
        return
    batch = Batch(profiles, book.active(), as_of)
    if rule is not None:
        try:
            rows = batch.reverse(rule)
        except KeyError as e:
            _fail(str(e).strip("'\""))
    else:
        rows = batch.push_list(include_unknown=include_unknown)
    if output is not None:
        write_rows(rows, output)
        cli.err.print(f"{len(rows)} rows → {output}", highlight=False)
    elif as_json:
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        write_rows_stdout(rows)
    counts = batch.counts()
    cli.err.print(f"{len(profiles)} enterprises × {len(batch.rules)} rules: " + " ".join(f"{k} {v}" for k, v in counts.items()), highlight=False)


def write_rows_stdout(rows: list[dict]) -> None:
    import csv

    from .batch import COLUMNS

    w = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)


def _print_facts(book, as_json: bool) -> None:
    vocab = book.vocabulary()
    rows = vocab.to_list()
    if as_json:
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    table = Table("fact", "type", "unit", "中文", "where", "rules")
    for r in rows:
        where = "profile" if r["profile_field"] else "facts"
        kind = r["type"] + (f" ({'/'.join(r['choices'])})" if r["choices"] else "")
        table.add_row(r["name"], kind, r["unit"] or "", r["label"], where, str(r["rules"]))
    _cli().out.print(table)


def _print_results(profile, results, as_of) -> None:
    from rich.markup import escape

    out = _cli().out
    groups = {"eligible": "符合 eligible", "unknown": "待补充 unknown", "ineligible": "不符合 ineligible"}
    out.print(f"[bold]{escape(profile.name or '（未命名）')}[/bold]  as of {as_of or 'today'}", highlight=False)
    for status, head in groups.items():
        rs = [r for r in results if r.status == status]
        out.print(f"\n[bold]{head}[/bold] ({len(rs)})", highlight=False)
        for r in rs:
            d = r.to_dict()
            src = d["source"]
            out.print(f"  [bold]{escape(r.rule.title)}[/bold]  [dim]{escape(r.rule.id)}[/dim]", highlight=False)
            a = d["amount"]
            if a["min"] is not None or a["max"] is not None or a["formula"] != "条款未写明金额":
                out.print(f"    金额: {escape(amount_range(a, '未计算'))}  ({escape(a['formula'])})", highlight=False)
            if r.missing:
                out.print(f"    缺少: {escape('、'.join(r.missing))}", highlight=False)
            if status != "eligible":
                for e in r.explanation:
                    if e.state != 2:
                        out.print(f"    · {escape(e.explanation)}", highlight=False)
                if r.validity and "不符合" in r.validity:
                    out.print(f"    · {escape(r.validity)}", highlight=False)
            if r.rule.agencies or r.rule.where_to_apply:
                out.print(f"    办理: {escape('、'.join(r.rule.agencies))}{'；' + escape(r.rule.where_to_apply) if r.rule.where_to_apply else ''}", highlight=False)
            out.print(f"    [dim]{escape(src.get('doc_number') or src.get('doc') or src.get('doc_key') or '')} · {src['node']} · L{src['line_start']}-{src['line_end']}[/dim]", highlight=False)


# -- zhengce rules … ------------------------------------------------------------------------


@rules_app.command("list")
def rules_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one rule per line (the rule file form).")] = False,
    stale: Annotated[bool, typer.Option("--stale", help="Only reviewed rules whose source clause changed.")] = False,
    reviewed: Annotated[bool, typer.Option("--reviewed", help="Only reviewed rules.")] = False,
    notes: Annotated[bool, typer.Option("--needs-review", help="Only machine rules with something for a reviewer (untyped conditions…).")] = False,
):
    """List rules: machine rules from the stored benefit clauses, reviewed ones in their place."""
    cli = _cli()
    with cli._store() as store:
        book = _book(store, None)
    rules = [r for r in book if (not stale or r.stale) and (not reviewed or r.origin == "reviewed") and (not notes or (r.notes and r.origin == "machine"))]
    if as_json:
        for r in rules:
            sys.stdout.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    table = Table("id", "title", "origin", "conditions", "amount", "notes")
    for r in rules:
        a = r.benefit.amount or {}
        amount = f"{a.get('min') if a.get('min') is not None else ''}–{a.get('max') if a.get('max') is not None else ''}{a.get('unit') or ''}" if a else ""
        origin = r.origin + (f" v{r.review['version']} {r.review['status']}" if r.review else "") + (" STALE" if r.stale else "")
        table.add_row(r.id, r.title, origin, str(len(r.conditions)), amount, str(len(r.notes)) if r.notes else "")
    cli.out.print(table)
    cli.err.print(f"{len(rules)} rules", highlight=False)


@rules_app.command("show")
def rules_show(rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. 湘政发〔2024〕7号:n19:2.")],
               as_json: Annotated[bool, typer.Option("--json")] = False):
    """One rule in its file form (YAML), with what a reviewer should look at."""
    from .rules import dump_rules

    with _cli()._store() as store:
        book = _book(store, None)
    try:
        r = book.get(rule_id)
    except KeyError as e:
        _fail(str(e).strip("'\""))
    sys.stdout.write(json.dumps(r.to_dict(), ensure_ascii=False, indent=2) + "\n" if as_json else dump_rules([r]))


@rules_app.command("export")
def rules_export(
    path: Annotated[Path, typer.Argument(help="FILE.yaml (all rules) or a folder (one YAML file per document).")],
    doc: Annotated[Optional[str], typer.Option("--doc", help="Only this document's rules (id, 发文字号 or title).")] = None,
):
    """Write rules as YAML for an officer to review and correct (then: zhengce rules import)."""
    import re

    from .rules import dump_rules

    cli = _cli()
    with cli._store() as store:
        book = _book(store, None)
        doc_id = None
        if doc is not None:
            try:
                doc_id = store.resolve(doc)
            except LookupError as e:
                _fail(str(e))
    rules = [r for r in book if doc_id is None or r.source.get("doc_id") == doc_id]
    if path.suffix.lower() in (".yaml", ".yml"):
        path.write_text(dump_rules(rules), encoding="utf-8")
        cli.err.print(f"{len(rules)} rules → {path}", highlight=False)
        return
    path.mkdir(parents=True, exist_ok=True)
    by_doc: dict[str, list] = {}
    for r in rules:
        by_doc.setdefault(r.id.rsplit(":", 2)[0], []).append(r)
    for ident, rs in by_doc.items():
        name = re.sub(r"[\\/:*?\"<>|\s]", "_", ident)[:80] + ".yaml"
        (path / name).write_text(dump_rules(rs), encoding="utf-8")
    cli.err.print(f"{len(rules)} rules in {len(by_doc)} files → {path}", highlight=False)


@rules_app.command("import")
def rules_import(
    files: Annotated[list[Path], typer.Argument(help="Reviewed rule files (YAML: one rule or a list).")],
    reviewer: Annotated[Optional[str], typer.Option("--reviewer", help="Who reviewed them.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note stored with the review.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Add a new version over an existing different review.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Store them as rejected: not a benefit rule (left out of matching).")] = False,
):
    """Store reviewed rules (a new version each; they replace the machine rule of the same id)."""
    from .book import RuleExists, review
    from .rules import RuleError, parse_rules_text

    cli = _cli()
    failed = stored = 0
    with cli._store() as store:
        for f in files:
            try:
                rules = parse_rules_text(f.read_text(encoding="utf-8"), str(f))
            except (OSError, RuleError) as e:
                cli._error(str(e))
                failed += 1
                continue
            for r in rules:
                try:
                    v = review(store, r, reviewer=reviewer, note=note, status="rejected" if reject else None, replace=replace)
                except (RuleExists, RuleError) as e:
                    cli._error(str(e))
                    failed += 1
                    continue
                stored += 1
                cli.err.print(f"reviewed {r.id} v{v}", highlight=False)
    cli.err.print(f"stored {stored} failed {failed}", highlight=False)
    raise typer.Exit(1 if failed else 0)


@rules_app.command("withdraw")
def rules_withdraw(rule_id: Annotated[str, typer.Argument()], reviewer: Annotated[Optional[str], typer.Option("--reviewer")] = None):
    """Withdraw a review: the machine rule applies again (the history is kept)."""
    from .book import withdraw

    with _cli()._store() as store:
        try:
            v = withdraw(store, rule_id, reviewer=reviewer)
        except KeyError as e:
            _fail(str(e).strip("'\""))
    _cli().err.print(f"withdrawn {rule_id} v{v}", highlight=False)


@rules_app.command("history")
def rules_history(rule_id: Annotated[str, typer.Argument()]):
    """Every stored review version of a rule."""
    from .book import review_history

    with _cli()._store() as store:
        for h in review_history(store, rule_id):
            sys.stdout.write(json.dumps(h, ensure_ascii=False) + "\n")
