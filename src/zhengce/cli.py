"""Command line: zhengce parse | ingest | docs | show | repairs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from .extract import VERSION as EXTRACTOR_VERSION
from .model import Document
from .pipeline import parse_paths
from .store import DocumentLookupError, Store, display_target, is_database_url, resolve_db_path

app = typer.Typer(add_completion=False, no_args_is_help=True, help="政策通: Chinese government documents, restored, structured and cited.")
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)
_state: dict = {}

PathsArg = Annotated[list[Path], typer.Argument(help="Files, folders (recursive) or .zip archives.")]


@app.callback()
def _global(db: Annotated[Optional[str], typer.Option("--db", help="SQLite database file or postgresql:// URL (default: $ZHENGCE_DATABASE_URL, $ZHENGCE_DB or ./data/zhengce.db).")] = None):
    _state["db"] = db


def _store() -> Store:
    return Store(resolve_db_path(_state.get("db")))


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=False, disable=not err.is_terminal,
    )


def _error(msg: str) -> None:
    # One plain line per bad input, whatever the terminal width.
    sys.stderr.write(f"error: {msg}\n")
    sys.stderr.flush()


@app.command()
def parse(paths: PathsArg, as_json: Annotated[bool, typer.Option("--json", help="JSON Lines on stdout, one object per document.")] = False):
    """Read, restore and structure documents without storing them."""
    failed = 0
    with _progress() as progress:
        task = progress.add_task("parsing", total=None)
        for item in parse_paths(paths):
            progress.advance(task)
            if item.error:
                failed += 1
                _error(str(item.error))
                continue
            for doc in item.documents:
                if as_json:
                    sys.stdout.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
                else:
                    out.print(f"{doc.title or Path(doc.source_path).name}  {doc.doc_number or ''}  {doc.date or ''}  "
                              f"L{doc.line_start}–{doc.line_end}  {len(doc.nodes)} nodes", highlight=False)
    raise typer.Exit(1 if failed else 0)


@app.command()
def ingest(paths: PathsArg):
    """Parse and store documents; unchanged files are skipped, a bad file is reported and skipped."""
    counts = {"added": 0, "replaced": 0, "unchanged": 0, "failed": 0}
    with _store() as store, _progress() as progress:
        task = progress.add_task("ingesting", total=None)
        for item in parse_paths(paths, skip=lambda s: store.has_source(s.sha256), with_extractions=True):
            progress.advance(task)
            if item.error:
                counts["failed"] += 1
                _error(str(item.error))
                continue
            if not item.documents:
                counts["unchanged"] += 1
                continue
            try:
                result = store.ingest(item.source, item.documents, item.extractions, EXTRACTOR_VERSION)
            except Exception as e:  # nothing of this file is stored (one transaction)
                counts["failed"] += 1
                _error(f"{item.source.path}: not stored ({e})")
                continue
            counts[result.status] += 1
            progress.console.print(f"{result.status:9} {item.source.path}: {len(item.documents)} document(s)", highlight=False)
            for notice in result.notices():
                progress.console.print(f"          {notice}", highlight=False, markup=False)
        _refresh_extractions(store, progress)
        _update_index(store, progress)
    err.print(" ".join(f"{k} {v}" for k, v in counts.items()), highlight=False)
    raise typer.Exit(1 if counts["failed"] else 0)


def _refresh_extractions(store: Store, progress: Progress) -> None:
    """Documents stored by an older zhengce get this version's extraction records."""
    from .pipeline import refresh_extractions

    task = progress.add_task("re-extracting", total=None)
    n = refresh_extractions(store, lambda done, total: progress.update(task, completed=done, total=total))
    if n:
        progress.console.print(f"re-extracted {n} stored document(s) made by an older extractor", highlight=False)


def _update_index(store: Store, progress: Progress) -> None:
    """Segment what was just stored, so search sees it (one transaction per document)."""
    from .search import update_index

    task = progress.add_task("indexing", total=None)
    update_index(store._db, lambda done, total: progress.update(task, completed=done, total=total))


def _filters(doc, issuer, year, region, kind, extraction):
    from .search import Filters

    return Filters(doc=doc, issuer=issuer, year=year, region=region, kind=kind, extraction=extraction)


FilterDoc = Annotated[Optional[str], typer.Option("--doc", help="Only this document (id, 发文字号 or title).")]
FilterIssuer = Annotated[Optional[str], typer.Option("--issuer", help="Only documents whose 发文机关 contains this.")]
FilterYear = Annotated[Optional[int], typer.Option("--year", help="Only documents of this year.")]
FilterRegion = Annotated[Optional[str], typer.Option("--region", help="Only documents about this place, or clauses naming it.")]
FilterKind = Annotated[Optional[str], typer.Option("--kind", help="Only nodes of this kind (item, paragraph, box_item, …).")]
FilterType = Annotated[Optional[str], typer.Option("--extraction", help="Only clauses with an extraction of this type.")]


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words, numbers (1000万元), \"quoted phrases\".")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines on stdout, one hit per line.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 10,
    doc: FilterDoc = None, issuer: FilterIssuer = None, year: FilterYear = None,
    region: FilterRegion = None, kind: FilterKind = None, extraction: FilterType = None,
):
    """Search every clause; each hit names its document, outline path and original lines."""
    from .search import SearchEngine

    with _store() as store:
        engine = SearchEngine(store)
        try:
            res = engine.search(query, limit=limit, filters=_filters(doc, issuer, year, region, kind, extraction))
        except DocumentLookupError as e:
            _error(str(e))
            raise typer.Exit(2)
    if as_json:
        for h in res.hits:
            sys.stdout.write(json.dumps(h.to_dict(), ensure_ascii=False) + "\n")
        return
    for h in res.hits:
        out.print(f"[bold]{h.path}[/bold]  L{h.line_start}–{h.line_end}  [dim]{h.score:.2f}[/dim]", highlight=False)
        out.print("    " + _marked(h.snippet, h.highlights), highlight=False)
    err.print(f"{res.total} clause(s) matched", highlight=False)


def _marked(snippet: str, marks: list[list[int]]) -> str:
    from rich.markup import escape

    out, last = "", 0
    for a, b in marks:
        out += escape(snippet[last:a]) + "[reverse]" + escape(snippet[a:b]) + "[/reverse]"
        last = b
    return out + escape(snippet[last:])


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question, e.g. 上市奖励多少 or 谁负责个转企.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
):
    """Answer from extracted facts (or the best clauses), every statement cited; says so when nothing answers."""
    from .ask import ask as answer
    from .search import SearchEngine

    with _store() as store:
        a = answer(SearchEngine(store), question)
    if as_json:
        sys.stdout.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")
        return
    out.print(a.answer, highlight=False, markup=False)
    for i, c in enumerate(a.citations, 1):
        out.print(f"  〔{i}〕{c.doc} · L{c.line_start}–{c.line_end}：{c.quote}", highlight=False, markup=False)
    raise typer.Exit(0 if a.found else 1)


@app.command()
def delete(doc: Annotated[str, typer.Argument(help="Document id, 发文字号 or (part of) its title; its whole source file is removed.")]):
    """Remove a document's source file and every document in it (search forgets them too)."""
    with _store() as store:
        try:
            path, ids = store.delete_with_source(doc)
        except DocumentLookupError as e:
            _error(str(e))
            raise typer.Exit(2)
    err.print(f"deleted {path}: document(s) {', '.join(map(str, ids))}", highlight=False)


@app.command()
def docs():
    """List stored documents."""
    with _store() as store:
        rows = store.list_documents()
    table = Table("id", "标题 title", "发文字号", "日期", "nodes", "source", "repairs", "notes")
    for d in rows:
        title = d.title or f"（无标题）{Path(d.source_path).name}"
        table.add_row(str(d.id), title, d.doc_number or "", d.date or "", str(d.node_count),
                      f"{Path(d.source_path).name}:{d.line_start}-{d.line_end}", str(d.repairs_total), str(d.notes_count))
    out.print(table)
    out.print(f"{len(rows)} documents")


def _load(store: Store, ref: str) -> tuple[int, Document]:
    try:
        doc_id = store.resolve(ref)
        return doc_id, store.get_document(doc_id)
    except LookupError as e:
        _error(str(e))
        raise typer.Exit(2)


@app.command()
def show(
    doc: Annotated[str, typer.Argument(help="Document id, 发文字号 or (part of) its title.")],
    outline: Annotated[bool, typer.Option("--outline", help="Show the outline tree.")] = False,
    original: Annotated[bool, typer.Option("--original", help="Each restored paragraph beside its original lines.")] = False,
):
    """Show a stored document: restored text, outline, or restored beside original."""
    with _store() as store:
        doc_id, d = _load(store, doc)
        source = store.source_text(doc_id) if original else ""
    head = " ".join(x for x in (d.title, d.doc_number, d.issuer, d.date) if x)
    out.print(f"[bold]{head or Path(d.source_path).name}[/bold]  ({d.source_path} L{d.line_start}–{d.line_end})")
    if outline:
        _print_outline(d)
    elif original:
        lines = source.split("\n")
        for n in d.nodes:
            out.print(f"[cyan]L{n.line_start}-{n.line_end}[/cyan] {n.text}", highlight=False)
            for ln in range(n.line_start, n.line_end + 1):
                if lines[ln - 1].strip():
                    out.print(f"   [dim]{ln:>5} │ {lines[ln - 1]}[/dim]", highlight=False, markup=True)
    else:
        out.print(d.text, highlight=False, markup=False)


def _print_outline(d: Document) -> None:
    tree = Tree(d.title or Path(d.source_path).name)
    branch = {None: tree}
    for n in d.nodes:
        if n.kind in ("paragraph", "box_item", "bullet", "toc"):
            continue
        label = " ".join(x for x in (n.label, n.title) if x) or n.text[:30]
        extra = f" [dim]{n.kind} L{n.line_start}[/dim]"
        if n.attrs.get("responsibility"):
            extra += f" [green]{'；'.join(n.attrs['responsibility'])[:60]}[/green]"
        parent = branch.get(n.parent, tree)
        branch[n.id] = parent.add(label.replace("[", "\\[") + extra)
    out.print(tree)


@app.command()
def repairs(doc: Annotated[str, typer.Argument(help="Document id, 发文字号 or (part of) its title.")]):
    """The repair report of a document: what each pass fixed, and what was only reported."""
    with _store() as store:
        doc_id, d = _load(store, doc)
    table = Table("pass", "count")
    for name, n in d.repairs.items():
        table.add_row(name, str(n))
    out.print(table)
    if d.notes:
        notes = Table("kind", "line", "note")
        for n in d.notes:
            notes.add_row(n.kind, str(n.line), n.text)
        out.print(notes)


@app.command("extract")
def extract_cmd(
    targets: Annotated[list[str], typer.Argument(help="Files/folders to parse, or stored documents (id, 发文字号, title).")],
    types: Annotated[Optional[list[str]], typer.Option("--type", help="Only these types (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines on stdout, one record per line.")] = False,
):
    """Extract grounded facts: targets, statistics, duties, benefits, projects, references, entities."""
    from .extract import TYPES
    from .pipeline import extract_all

    bad = [t for t in types or [] if t not in TYPES]
    if bad:
        _error(f"unknown type {bad[0]!r}; known: {', '.join(TYPES)}")
        raise typer.Exit(2)
    paths = [t for t in targets if Path(t).exists()]
    refs = [t for t in targets if not Path(t).exists()]
    records = []
    failed = 0
    for item in parse_paths(paths):
        if item.error:
            failed += 1
            _error(str(item.error))
            continue
        for recs in extract_all(item.source, item.documents, types):
            records.extend(recs)
    if refs:
        from .extract import extract

        with _store() as store:
            for ref in refs:
                doc_id, d = _load(store, ref)
                records.extend(extract(d, store.doc_key(doc_id), types))
    target = resolve_db_path(_state.get("db"))
    if is_database_url(target) or Path(target).exists():
        with _store() as store:  # references resolve to stored documents when they are there
            for r in records:
                if r.type == "reference":
                    r.fields["resolved"] = store.cited(r.fields.get("doc_number"), r.fields.get("title"))
    if as_json:
        for r in records:
            sys.stdout.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    else:
        table = Table("type", "doc", "lines", "quote")
        for r in records:
            table.add_row(r.type, r.doc_key, f"{r.line_start}-{r.line_end}", r.quote[:80])
        out.print(table)
    raise typer.Exit(1 if failed else 0)


@app.command("check")
def check_cmd(
    docs_: Annotated[Optional[list[str]], typer.Argument(metavar="[DOC]...", help="Stored documents to check (default: all).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one finding per line.")] = False,
):
    """Consistency checks across stored extractions, with citations on both sides."""
    from .extract.check import arithmetic, check, duties_without_unit

    with _store() as store:
        ids = [_load(store, d)[0] for d in docs_] if docs_ else [s.id for s in store.list_documents()]
        records = [r for doc_id, r in store.extractions() if doc_id in ids]
        findings = check(records)
        for doc_id in ids:
            doc = store.get_document(doc_id)
            findings += duties_without_unit(doc, [r for _i, r in store.extractions(doc_id)])
            findings += arithmetic(doc, store.doc_key(doc_id))
    if as_json:
        for f in findings:
            sys.stdout.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
        return
    for f in findings:
        out.print(f"[bold]{f.kind}[/bold] {f.message}", highlight=False)
        for c in f.citations:
            out.print(f"    {c.doc or c.doc_key} · L{c.line_start}-{c.line_end}：{c.quote}", highlight=False, markup=False)
    out.print(f"{len(findings)} findings")


@app.command()
def view(
    doc: Annotated[str, typer.Argument(help="Stored document: id, 发文字号 or (part of) its title.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("view.html"),
):
    """Write an HTML page of the document with every extraction highlighted (hover for fields)."""
    from .viewer import render

    with _store() as store:
        doc_id, d = _load(store, doc)
        records = [r for _i, r in store.extractions(doc_id)]
    output.write_text(render(d, records), encoding="utf-8")
    err.print(f"{len(records)} extractions → {output}", highlight=False)


@app.command()
def export(
    out_path: Annotated[Path, typer.Argument(help="FILE.xlsx (one sheet per type) or a folder for one CSV per type.")],
    types: Annotated[Optional[list[str]], typer.Option("--type", help="Only these types (repeatable).")] = None,
):
    """Export stored extractions with a citation column, to XLSX or CSV."""
    from .export import export_csv, export_xlsx

    with _store() as store:
        rows = [r for _doc_id, r in store.extractions() if not types or r.type in types]
    written = export_xlsx(rows, out_path) if out_path.suffix.lower() == ".xlsx" else export_csv(rows, out_path)
    err.print(f"{len(rows)} records → {', '.join(map(str, written))}", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    max_upload_mb: Annotated[Optional[float], typer.Option("--max-upload-mb", help="Largest uploaded file (default: ZHENGCE_MAX_FILE_MB or 64).")] = None,
):
    """Serve the web app (library, reader, search, ask, extractions) and the JSON API (/api/v1)."""
    import uvicorn

    from .web import create_app

    db = resolve_db_path(_state.get("db"))
    web = create_app(db, max_upload_bytes=int(max_upload_mb * 2**20) if max_upload_mb else None)
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address needs brackets in a URL
    err.print(f"政策通 serving {display_target(db)} at http://{shown}:{port}/  (Ctrl+C to stop)", highlight=False)
    uvicorn.run(web, host=host, port=port, log_level="warning")


from .match.cli import register as _register_match; _register_match(app)  # noqa: E402,E702  zhengce match, zhengce rules
from .monitor.cli import register as _register_monitor; _register_monitor(app)  # noqa: E402,E702  zhengce monitor, zhengce user


def main() -> None:
    app()
