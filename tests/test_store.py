"""Storage stage on both backends: real SQLite files in tmp_path and fresh
PostgreSQL databases (conftest `db_target`), documents built by hand."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest

from zhengce.model import Document, Node, Note, Source
from zhengce.store import DocSummary, DocumentLookupError, SchemaError, Store, resolve_db_path
from zhengce.store import documents as store_documents

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "zhengce" / "store" / "migrations"
from zhengce.store.db import Migration, _to_pyformat, display_target, migrate, open_database, split_statements

TABLES = ("sources", "documents", "nodes", "repairs", "notes")
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


# ------------------------------------------------------------------ builders

def make_source(path: str, title: str, number: str, items: list[str], date: str = "2021年7月22日") -> Source:
    lines = [
        "吉林省人民政府文件",
        "",
        number,
        "",
        title,
        "",
        "各市（州）人民政府，长白山管委会，各县（市）人民政府，省政府各厅委办、各直属机构：",
        "　　为深入贯彻落实党中央、国务院决策部署，结合我省实际，现提出如下措施。",
        *(f"　　{item}" for item in items),
        "",
        "吉林省人民政府",
        date,
    ]
    return Source(path=path, text="\n".join(lines) + "\n", format="text", encoding="utf-8")


def make_document(source: Source) -> Document:
    """A document as the structure stage would emit it: text, char map, nodes, repairs, notes."""
    src_lines = source.text.split("\n")
    first = 5  # the title line
    body_lines = [(n, line) for n, line in enumerate(src_lines, 1) if n >= first and line.strip()]
    text_parts, char_map, pos = [], [], 0
    for n, line in body_lines:
        stripped = line.lstrip("　")
        col = len(line) - len(stripped) + 1
        char_map.append((pos, n, col))
        text_parts.append(stripped)
        pos += len(stripped) + 1
    text = "\n".join(text_parts)
    title, number, date = src_lines[4], src_lines[2], body_lines[-1][1]

    def span(s: str) -> tuple[int, int]:
        i = text.index(s)
        return i, i + len(s)

    def line_of(s: str) -> int:
        return next(n for n, line in body_lines if s in line)

    nodes = [Node("doc", None, "document", None, title, text, 0, len(text), first, body_lines[-1][0])]
    items = [line.lstrip("　") for _, line in body_lines if line.lstrip("　")[:2] in ("一、", "二、", "三、")]
    for k, item in enumerate(items, 1):
        label, _, rest = item.partition("、")
        head = rest.split("。")[0]
        s, e = span(item)
        nodes.append(
            Node(f"item{k}", "doc", "item", label, head, item, s, e, line_of(item), line_of(item),
                 attrs={"ordinal": k, "responsible": ["省能源局", "省工业和信息化厅"]} if k == 1 else {})
        )
    s, e = span(date)
    nodes.append(Node("sign", "doc", "signoff", None, None, f"吉林省人民政府\n{date}", s - 8, e,
                      body_lines[-2][0], body_lines[-1][0]))
    return Document(
        title=title,
        doc_number=number,
        issuer="吉林省人民政府",
        date="2021-07-22",
        text=text,
        source_path=source.path,
        line_start=first,
        line_end=body_lines[-1][0],
        repairs={"fullwidth_digits": 2, "line_join": 3, "traditional": 0},
        notes=[Note("editor_note", "（此件公开发布）", body_lines[-1][0], offset=len(source.text) - 5)],
        nodes=nodes,
        elements={"发文机关标志": "吉林省人民政府文件", "主送机关": "各市（州）人民政府", "成文日期": date},
        toc=[{"label": n.label, "title": n.title, "node": n.id} for n in nodes if n.kind == "item"],
        source_sha256=source.sha256,
        format=source.format,
        char_map=char_map,
    )


def notice(path: str = "2021/14.txt", number: str = "吉政发〔2021〕14号", extra: str = "") -> tuple[Source, Document]:
    src = make_source(
        path,
        "吉林省人民政府关于进一步支持民营经济（中小企业）发展若干政策措施的通知",
        number,
        ["一、降低企业用电成本。鼓励中小企业参与电力市场化交易。" + extra,
         "二、加大金融支持力度。引导金融机构增加对中小企业的信贷投放。"],
    )
    return src, make_document(src)


def opinion(path: str = "2021/16.txt") -> tuple[Source, Document]:
    src = make_source(
        path,
        "吉林省人民政府关于加快推动全省国家级开发区高质量发展的实施意见",
        "吉政发〔2021〕16号",
        ["一、强化创新驱动。支持开发区建设创新平台。", "二、优化营商环境。深化“放管服”改革。",
         "三、加强组织保障。各地区要抓好落实。"],
        date="2021年8月20日",
    )
    return src, make_document(src)


def office_notice(path: str = "2021/28.txt") -> tuple[Source, Document]:
    src = make_source(
        path,
        "吉林省人民政府办公厅关于印发梅河口市建设高质量发展先行示范区规划的通知",
        "吉政办发〔2021〕28号",
        ["一、总体要求。坚持新发展理念。"],
        date="2021年7月2日",
    )
    return src, make_document(src)


def counts(target) -> dict[str, int]:
    db = open_database(target)  # a connection of its own: sees only what was committed
    try:
        return {t: db.scalar(f"SELECT COUNT(*) FROM {t}") for t in TABLES}
    finally:
        db.close()


def schema_objects(target, kind: str) -> set[str]:
    """Names of the tables or indexes in the database (the current schema on PostgreSQL)."""
    db = open_database(target)
    try:
        if db.dialect.name == "sqlite":
            return {r[0] for r in db.all("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}
        if kind == "table":
            return {r[0] for r in db.all("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        return {r[0] for r in db.all("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
    finally:
        db.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "zhengce.db"


@pytest.fixture
def store(db_target):
    with Store(db_target) as s:
        yield s


# ------------------------------------------------------------ connection

def test_wal_foreign_keys_and_busy_timeout(db_path: Path):
    with Store(db_path) as store:
        assert db_path.exists()  # parent directory created
        with sqlite3.connect(db_path) as other:  # the mode is persistent: any connection sees it
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn = store._db.conn
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_postgres_session_settings(pg_url: str):
    with Store(pg_url, timeout=7) as store:
        assert store.backend == "postgresql"
        conn = store._db.conn
        assert conn.autocommit  # transactions are ours (BEGIN … COMMIT), as with sqlite3 isolation_level=None
        assert store._db.scalar("SHOW lock_timeout") == "7s"  # the writer's wait, like busy_timeout
        assert store._db.scalar("SHOW server_encoding") == "UTF8"


def test_rows_by_index_and_by_name(store: Store):
    row = store._db.one("SELECT 1 AS a, 'x%?' AS b, NULL AS c")
    assert (row[0], row[1], row[-1]) == (1, "x%?", None)  # % and ? inside a literal are text
    assert (row["a"], row["b"], row["B"]) == (1, "x%?", "x%?")  # names, case-insensitive like sqlite3.Row
    assert list(row.keys()) == ["a", "b", "c"] and dict(row) == {"a": 1, "b": "x%?", "c": None}
    a, b, c = row
    assert (a, b, c) == (1, "x%?", None) and len(row) == 3
    with pytest.raises(IndexError):
        row["nope"]
    assert dict(store._db.all("SELECT 'k', 2")) == {"k": 2}  # rows unpack as pairs


def test_context_manager_closes(db_target):
    with Store(db_target) as s:
        conn = s._db.conn
    with pytest.raises((sqlite3.ProgrammingError, psycopg.OperationalError)):
        conn.execute("SELECT 1")
    s.close()  # closing twice is harmless


def test_transaction_misuse_is_refused(store: Store):
    db = store._db
    with db.transaction(write=False):
        with pytest.raises(RuntimeError, match="nested in a read"):
            with db.transaction():
                pass
    with pytest.raises(RuntimeError, match="outside a write transaction"):
        db.select_for_update("SELECT 1")
    with pytest.raises(ValueError):
        with db.transaction(lock="table"):  # type: ignore[arg-type]
            pass
    with db.transaction(lock="rows"):
        with pytest.raises(RuntimeError, match="nested in a rows-lock"):
            with db.transaction():
                pass
    with db.transaction():  # the connection is fine afterwards
        assert db.scalar("SELECT 41 + 1") == 42


# ------------------------------------------------------------ migrations

def test_migrations_recorded_and_idempotent(db_target):
    shipped = sorted(int(p.name[:4]) for p in MIGRATIONS.glob("*.sql"))
    with Store(db_target) as s:
        assert s.migrated == shipped == list(range(1, len(shipped) + 1))
    with Store(db_target) as s:
        assert s.migrated == []  # nothing new on a second open
        rows = s._db.all("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
    assert [(v, n) for v, n, _ in rows][:2] == [(1, "initial"), (2, "extractions")]
    assert rows[0][2].startswith("20")  # ISO timestamp
    assert set(TABLES) | {"extractions", "search_nodes", "store_changes"} <= schema_objects(db_target, "table")
    assert {"documents_doc_number_key", "documents_title_key", "nodes_doc_kind"} <= schema_objects(db_target, "index")


def test_newer_schema_is_refused(db_target):
    Store(db_target).close()
    db = open_database(db_target)
    db.execute("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')")
    db.close()
    with pytest.raises(SchemaError, match="version 99"):
        Store(db_target)


def test_failing_migration_applies_nothing(db_target):
    db = open_database(db_target)
    good = Migration(1, "one", "CREATE TABLE a (id {{ID_PK}}, note TEXT DEFAULT 'x;y%');")
    bad = Migration(2, "two", "CREATE TABLE b (id INTEGER); CREATE TABLE b (id INTEGER);")
    with pytest.raises((sqlite3.OperationalError, psycopg.errors.DuplicateTable)):
        migrate(db, [good, bad])
    assert schema_objects(db_target, "table") == set()
    assert migrate(db, [good]) == [1]
    assert migrate(db, [good]) == []
    with db.transaction():  # the token became a never-reused generated key on both engines
        assert tuple(db.one("INSERT INTO a DEFAULT VALUES RETURNING id, note")) == (1, "x;y%")
    db.close()


def test_split_statements_respects_quotes_and_comments():
    script = "-- a comment; with a semicolon\nCREATE TABLE t (x TEXT DEFAULT 'a;''b');\n\nINSERT INTO t VALUES ('--');"
    assert split_statements(script) == ["CREATE TABLE t (x TEXT DEFAULT 'a;''b')", "INSERT INTO t VALUES ('--')"]


# ------------------------------------------------------------ ingest

def test_round_trip_field_by_field(store: Store):
    src, doc = notice()
    result = store.ingest(src, [doc])
    assert result.status == "added" and len(result.document_ids) == 1
    got = store.get_document(result.document_ids[0])
    for name in ("title", "doc_number", "issuer", "date", "text", "source_path", "line_start", "line_end",
                 "repairs", "notes", "elements", "toc", "source_sha256", "format", "char_map"):
        assert getattr(got, name) == getattr(doc, name), name
    assert list(got.repairs) == list(doc.repairs)  # pass order kept
    assert len(got.nodes) == len(doc.nodes)
    for a, b in zip(got.nodes, doc.nodes):
        assert a == b, a.id
    assert got.notes[0].offset == doc.notes[0].offset
    assert got.content_hash == doc.content_hash
    assert got.line_of(got.text.index("二、")) == doc.line_of(doc.text.index("二、"))
    assert got == doc
    assert store.source_text(result.document_ids[0]) == src.text
    assert store.repairs(result.document_ids[0]) == doc.repairs
    assert store.notes(result.document_ids[0]) == doc.notes


def test_several_documents_in_one_source_keep_order(store: Store):
    src, doc = notice()
    _, second = opinion()
    result = store.ingest(src, [doc, second])
    assert [store.get_document(i).title for i in result.document_ids] == [doc.title, second.title]


def test_reingest_same_content_is_a_noop(store: Store, db_target):
    src, doc = notice()
    first = store.ingest(src, [doc])
    before = counts(db_target)
    assert store.has_source(src.sha256)
    again = store.ingest(Source(src.path, src.text, src.format, src.encoding), [make_document(src)])
    assert again.status == "unchanged"
    assert again.document_ids == first.document_ids and again.source_id == first.source_id
    assert counts(db_target) == before


def test_changed_content_replaces_old_version(store: Store, db_target):
    src, doc = notice()
    other_src, other = opinion()
    old = store.ingest(src, [doc])
    store.ingest(other_src, [other])
    new_src, new_doc = notice(extra="开展转供电环节收费专项检查。")
    assert new_src.sha256 != src.sha256
    result = store.ingest(new_src, [new_doc])
    assert result.status == "replaced"
    assert not store.has_source(src.sha256) and store.has_source(new_src.sha256)
    with pytest.raises(LookupError):
        store.get_document(old.document_ids[0])
    assert result.document_ids[0] not in old.document_ids  # ids are never reused
    assert "转供电" in store.get_document("吉政发〔2021〕14号").text
    assert store.get_document("吉政发〔2021〕16号") == other  # other sources untouched
    # the old version's rows are gone (cascade), nothing duplicated
    assert counts(db_target) == {"sources": 2, "documents": 2, "nodes": 4 + 5, "repairs": 6, "notes": 2}


class Unserialisable:
    pass


def test_failure_midway_stores_nothing(store: Store, db_target):
    store.ingest(*opinion()[:1], [opinion()[1]])
    before = counts(db_target)
    src, doc = notice()
    bad = make_document(src)
    bad.nodes[2].attrs = {"x": Unserialisable()}  # json fails after source, document and node rows were written
    with pytest.raises(TypeError):
        store.ingest(src, [doc, bad])
    assert counts(db_target) == before
    assert not store.has_source(src.sha256)
    # the connection is usable again and the same source can be stored properly
    assert store.ingest(src, [doc]).status == "added"


def test_failed_replacement_keeps_previous_version(store: Store, db_target, monkeypatch):
    src, doc = notice()
    old = store.ingest(src, [doc])
    before = counts(db_target)
    new_src, new_doc = notice(extra="新增内容。")
    real = store_documents.insert_document
    calls = []

    def explode_on_second(db, source_id, seq, d):
        calls.append(seq)
        if seq == 1:
            raise RuntimeError("disk on fire")
        return real(db, source_id, seq, d)

    monkeypatch.setattr(store_documents, "insert_document", explode_on_second)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.ingest(new_src, [new_doc, new_doc])
    assert calls == [0, 1]  # the first document really was written before the failure
    assert counts(db_target) == before
    assert store.has_source(src.sha256) and not store.has_source(new_src.sha256)
    assert store.get_document(old.document_ids[0]) == doc


def test_constraint_violation_rolls_back(store: Store, db_target):
    src, doc = notice()
    bad = make_document(src)
    bad.nodes.append(bad.nodes[1])  # duplicate node id: primary key violation
    with pytest.raises(INTEGRITY_ERRORS):
        store.ingest(src, [bad])
    assert counts(db_target) == dict.fromkeys(TABLES, 0)
    assert store.ingest(src, [doc]).status == "added"  # the connection is usable again


def test_source_without_documents_is_remembered(store: Store):
    src = Source("empty.txt", "目录\n", "text")
    assert store.ingest(src, []).status == "added"
    assert store.has_source(src.sha256)
    assert store.ingest(src, []).status == "unchanged"


def test_delete_source_cascades(store: Store, db_target):
    src, doc = notice()
    store.ingest(src, [doc])
    store.ingest(*opinion()[:1], [opinion()[1]])
    assert store.delete_source(src.path) is True
    assert store.delete_source(src.path) is False
    assert counts(db_target) == {"sources": 1, "documents": 1, "nodes": 5, "repairs": 3, "notes": 1}


# ------------------------------------------------------------ listing

def test_list_documents(store: Store):
    src, doc = notice()
    store.ingest(src, [doc])
    (summary,) = store.list_documents()
    assert isinstance(summary, DocSummary)
    assert (summary.title, summary.doc_number, summary.issuer, summary.date) == (
        doc.title, doc.doc_number, doc.issuer, doc.date)
    assert summary.source_path == src.path
    assert summary.node_count == len(doc.nodes) == 4
    assert summary.char_count == len(doc.text)
    assert (summary.line_start, summary.line_end) == (doc.line_start, doc.line_end)
    assert summary.repairs_total == 5
    assert summary.notes_count == 1


def test_list_documents_empty_and_ordered(store: Store):
    assert store.list_documents() == []
    for src, doc in (office_notice("b.txt"), notice("a.txt")):
        store.ingest(src, [doc])
    assert [s.source_path for s in store.list_documents()] == ["a.txt", "b.txt"]


# ------------------------------------------------------------ references

@pytest.fixture
def three(store: Store) -> dict[str, int]:
    ids = {}
    for name, (src, doc) in (("14", notice()), ("16", opinion()), ("28", office_notice())):
        ids[name] = store.ingest(src, [doc]).document_ids[0]
    return ids


def test_ref_by_id_and_doc_number(store: Store, three):
    assert store.resolve(three["16"]) == three["16"]
    assert store.resolve(str(three["16"])) == three["16"]
    assert store.resolve("吉政发〔2021〕14号") == three["14"]
    assert store.resolve("吉政发[2021]14号") == three["14"]  # ASCII brackets
    assert store.resolve("吉政发［２０２１］１４号") == three["14"]  # full-width brackets and digits
    assert store.resolve(" 吉政发 (2021) 16号 ") == three["16"]
    assert store.resolve("吉政办发【2021】28號") == three["28"]
    assert store.get_document("吉政发[2021]14号").doc_number == "吉政发〔2021〕14号"


def test_ref_by_title(store: Store, three):
    assert store.resolve("吉林省人民政府关于加快推动全省国家级开发区高质量发展的实施意见") == three["16"]
    assert store.resolve("国家级开发区") == three["16"]  # unique substring
    assert store.resolve("民营经济(中小企业)") == three["14"]  # ASCII parentheses vs full-width in the title
    assert store.resolve("梅河口") == three["28"]


def test_ambiguous_substring_lists_candidates(store: Store, three):
    with pytest.raises(DocumentLookupError) as exc:
        store.resolve("的通知")
    msg = str(exc.value)
    assert "\n" not in msg and "对应 2 篇文档" in msg and "请用编号指定" in msg
    assert f"#{three['14']} " in msg and f"#{three['28']} " in msg and f"#{three['16']} " not in msg
    assert sorted(exc.value.candidates) == sorted([three["14"], three["28"]])
    assert isinstance(exc.value, LookupError)


def test_ambiguous_list_is_capped_at_five(store: Store):
    for k in range(7):
        src, doc = notice(f"n{k}.txt", number=f"吉政发〔2021〕{k + 30}号", extra=f"第{k}版。")
        store.ingest(src, [doc])
    with pytest.raises(LookupError) as exc:
        store.resolve("中小企业")
    msg = str(exc.value)
    assert msg.count("#") == 5 and "另有2篇" in msg and "\n" not in msg


def test_same_doc_number_and_title_in_two_sources_is_a_new_version(store: Store):
    """identity.py rule 2b: the later copy is the version in force; the older is kept and still opens by id."""
    html_src, html_doc = notice("web/14.html")
    pdf_src, pdf_doc = notice("pdf/14.pdf", extra="（PDF 版）")
    a = store.ingest(html_src, [html_doc]).document_ids[0]
    res = store.ingest(pdf_src, [pdf_doc])
    b = res.document_ids[0]
    assert res.placements[0].kind == "version" and "新版本" in res.notices()[0]
    assert store.get_document("吉政发[2021]14号").source_path == "pdf/14.pdf"
    old, new = store.get_document(a), store.get_document(b)
    assert old.uid == new.uid and (old.standing.version, new.standing.version) == (1, 2)
    assert not old.standing.current and new.standing.current
    store.delete_with_source(b)  # the newest goes: the older is in force again
    assert store.get_document(a).standing.current and store.resolve("吉政发〔2021〕14号") == a


def test_same_doc_number_with_two_own_documents_lists_them(store: Store):
    """Two documents of their own under one 发文字号 (rule 2c, both ways round): a lookup lists both in Chinese."""
    a = store.ingest(*_one(notice("a/14.txt"))).document_ids[0]
    src, doc = notice("b/14.txt", extra="另行印发的配套细则全文。" * 40)
    doc.title = "关于印发配套细则的通知"
    res = store.ingest(src, [doc])
    assert res.placements[0].kind == "same_number"
    b = res.document_ids[0]
    # Both are documents of their own: the one without a relation wins for the 发文字号 …
    assert store.resolve("吉政发〔2021〕14号") == a
    store.delete_with_source(a)
    assert store.resolve("吉政发〔2021〕14号") == b  # … and the other stands alone once it goes


def _one(pair):
    src, doc = pair
    return src, [doc]


def test_unknown_ref_suggests(store: Store, three):
    with pytest.raises(DocumentLookupError) as exc:
        store.resolve("开发区高质量发展意见")
    msg = str(exc.value)
    assert msg.startswith("没有找到文档") and "是否要找" in msg and f"#{three['16']} " in msg
    with pytest.raises(LookupError, match="没有编号为 999 的文档"):
        store.get_document(999)
    with pytest.raises(LookupError):
        store.source_text("999")
    with pytest.raises(LookupError, match="没有找到文档“xyz”$"):
        store.resolve("xyz")


def test_like_wildcards_are_literal(store: Store, three):
    with pytest.raises(LookupError):
        store.resolve("%")
    with pytest.raises(LookupError):
        store.resolve("_")
    # LIKE with a literal % in the SQL text itself, and ASCII case ignored on both engines.
    assert store._db.scalar("SELECT count(*) FROM documents WHERE title LIKE '%开发区%'") == 1
    assert store._db.scalar("SELECT count(*) FROM sources WHERE path LIKE '2021/1_.TXT'") == 2


def test_sql_translation_for_postgres():
    assert _to_pyformat("SELECT a FROM t WHERE b = ? AND c LIKE '%x?%' ESCAPE '\\'") == (
        "SELECT a FROM t WHERE b = %s AND c ILIKE '%%x?%%' ESCAPE '\\'")
    assert _to_pyformat("SELECT likely, 'it''s ?' FROM unlike -- 100% ?\nWHERE x = ?") == (
        "SELECT likely, 'it''s ?' FROM unlike -- 100%% ?\nWHERE x = %s")
    assert _to_pyformat('SELECT "odd?name", 5 % 2') == 'SELECT "odd?name", 5 %% 2'


# ------------------------------------------------------------ database path

def test_resolve_db_path_precedence(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZHENGCE_DB", raising=False)
    monkeypatch.delenv("ZHENGCE_DATABASE_URL", raising=False)
    assert resolve_db_path(None) == Path("data/zhengce.db")
    assert (tmp_path / "data").is_dir()

    monkeypatch.setenv("ZHENGCE_DB", str(tmp_path / "env" / "e.db"))
    assert resolve_db_path(None) == tmp_path / "env" / "e.db"
    assert (tmp_path / "env").is_dir()

    assert resolve_db_path(str(tmp_path / "cli" / "c.db")) == tmp_path / "cli" / "c.db"  # --db wins
    assert (tmp_path / "cli").is_dir()

    monkeypatch.setenv("ZHENGCE_DB", "")
    assert resolve_db_path(None) == Path("data/zhengce.db")
    assert resolve_db_path("") == Path("data/zhengce.db")

    # A URL comes back as it is; ZHENGCE_DATABASE_URL beats ZHENGCE_DB, --db beats both.
    url = "postgresql://zc:secret@db.example:5432/zhengce"
    monkeypatch.setenv("ZHENGCE_DB", str(tmp_path / "env" / "e.db"))
    monkeypatch.setenv("ZHENGCE_DATABASE_URL", url)
    assert resolve_db_path(None) == url
    assert resolve_db_path("postgres://h/other") == "postgres://h/other"
    assert resolve_db_path(str(tmp_path / "cli" / "c.db")) == tmp_path / "cli" / "c.db"
    monkeypatch.setenv("ZHENGCE_DATABASE_URL", "")
    assert resolve_db_path(None) == tmp_path / "env" / "e.db"
    assert display_target(url) == "postgresql://zc:***@db.example:5432/zhengce"  # printed without the password
    assert display_target("postgresql://zc@h/db") == "postgresql://zc@h/db"


# ------------------------------------------------------------ concurrency

def _ingest_many(target: str, prefix: str, n: int, barrier=None) -> list[str]:
    if barrier is not None:
        barrier.wait()
    statuses = []
    with Store(target, timeout=60) as s:
        for k in range(n):
            src, doc = notice(f"{prefix}/{k}.txt", number=f"吉政发〔2021〕{k}号", extra=f"{prefix}{k}")
            statuses.append(s.ingest(src, [doc]).status)
    return statuses


def _check_all_there(target, expected: int) -> None:
    if not isinstance(target, str) or not target.startswith("postgres"):
        with sqlite3.connect(target) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # (PostgreSQL checks foreign keys on every statement; there is nothing to verify afterwards.)
    assert counts(target) == {"sources": expected, "documents": expected, "nodes": 4 * expected,
                              "repairs": 3 * expected, "notes": expected}


def test_concurrent_writers_threads(db_target):
    barrier = threading.Barrier(3)
    results: dict[str, list[str]] = {}
    threads = [
        threading.Thread(target=lambda p=p: results.__setitem__(p, _ingest_many(str(db_target), p, 15, barrier)))
        for p in ("a", "b", "c")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {p: ["added"] * 15 for p in ("a", "b", "c")}
    _check_all_there(db_target, 45)


def test_concurrent_writers_processes(db_target):
    # spawn: each worker is a fresh interpreter with its own connection, racing even the first migration
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        out = pool.starmap(_ingest_many, [(str(db_target), p, 15) for p in ("x", "y", "z")])
    assert out == [["added"] * 15] * 3
    _check_all_there(db_target, 45)
    with Store(db_target) as s:
        assert s.migrated == []
        assert len(s.list_documents()) == 45


def test_concurrent_same_content_stored_once(db_target):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        out = pool.starmap(_ingest_many, [(str(db_target), "same", 5)] * 2)
    assert sorted(out[0] + out[1]) == ["added"] * 5 + ["unchanged"] * 5
    _check_all_there(db_target, 5)


# Read-modify-write by several departments at once: the primitive monitoring
# builds on.  Each report reads the row, computes the new value in Python and
# writes it back; with the row locked first no report may be lost.

def _make_report_table(target) -> None:
    with Store(target) as s, s._db.transaction():
        s._db.execute("CREATE TABLE IF NOT EXISTS reports (indicator TEXT PRIMARY KEY, total INTEGER NOT NULL, log TEXT NOT NULL)")
        s._db.execute("INSERT INTO reports VALUES ('enterprises', 0, '[]')")


def _report_many(target: str, dept: str, n: int, lock: str, barrier=None) -> None:
    with Store(target, timeout=60) as s:
        db = s._db
        if barrier is not None:
            barrier.wait()
        for k in range(n):
            with db.transaction(lock=lock):
                (row,) = db.select_for_update("SELECT total, log FROM reports WHERE indicator = ?", ("enterprises",))
                total, log = row["total"], json.loads(row["log"])
                time.sleep(0.001)  # widen the window between read and write: a lost update would show
                db.execute("UPDATE reports SET total = ?, log = ? WHERE indicator = ?",
                           (total + 1, json.dumps(log + [f"{dept}{k}"]), "enterprises"))


def _check_reports(target, expected: set[str]) -> None:
    with Store(target) as s:
        row = s._db.one("SELECT total, log FROM reports WHERE indicator = ?", ("enterprises",))
    assert row["total"] == len(expected)
    assert sorted(json.loads(row["log"])) == sorted(expected)


@pytest.mark.parametrize("lock", ["database", "rows"])
def test_concurrent_reports_never_lose_an_update_threads(db_target, lock):
    _make_report_table(db_target)
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_report_many, args=(str(db_target), d, 25, lock, barrier)) for d in ("发改", "统计")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _check_reports(db_target, {f"{d}{k}" for d in ("发改", "统计") for k in range(25)})


def test_concurrent_reports_never_lose_an_update_processes(db_target):
    _make_report_table(db_target)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.starmap(_report_many, [(str(db_target), d, 20, "rows") for d in ("工信", "财政")])
    _check_reports(db_target, {f"{d}{k}" for d in ("工信", "财政") for k in range(20)})


def test_change_token_follows_other_connections(db_target):
    with Store(db_target) as reader, Store(db_target) as writer:
        token = reader._db.change_token()
        assert token is not None and reader._db.change_token() == token  # nothing happened
        writer.ingest(*notice()[:1], [notice()[1]])
        moved = reader._db.change_token()
        assert moved != token
        writer.delete_source(notice()[0].path)
        assert reader._db.change_token() != moved


def test_records_of_an_older_extractor_are_rederived_by_ingest(tmp_path):
    """An upgrade reaches stored documents whose files did not change: ingest re-derives their records."""
    from typer.testing import CliRunner

    from zhengce.cli import app
    from zhengce.extract import VERSION
    from zhengce.search import SearchEngine

    path = tmp_path / "p.txt"
    path.write_text("某县若干措施\n\n一、支持企业\n（一）支持上市。对成功上市的企业，给予200万元奖励。（责任单位：县财政局）\n", encoding="utf-8")
    db = tmp_path / "z.db"
    run = CliRunner()
    assert run.invoke(app, ["--db", str(db), "ingest", str(path)]).exit_code == 0
    with Store(db) as store:
        assert store.stale_extractions(VERSION) == []
        (doc_id,) = [d.id for d in store.list_documents()]
        # As an older zhengce left it: fewer records, an older version.
        store.replace_extractions(doc_id, [], VERSION - 1)
        assert store.stale_extractions(VERSION) == [doc_id] and store.extractions(doc_id) == []
    r = run.invoke(app, ["--db", str(db), "ingest", str(path)])
    assert r.exit_code == 0 and "re-extracted 1 stored document" in r.stderr + r.stdout
    with Store(db) as store:
        assert store.stale_extractions(VERSION) == []
        assert {rec.type for _d, rec in store.extractions(doc_id)} >= {"benefit", "duty"}
        # The search rows follow: the clause is found again under its extraction type.
        assert SearchEngine(store).search("上市奖励", filters=None).hits
        assert store._db.scalar("SELECT types FROM search_nodes WHERE types LIKE '%benefit%'")
