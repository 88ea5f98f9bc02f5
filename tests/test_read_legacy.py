"""Word 97–2003 .doc, WPS Office .wps (through LibreOffice) and OFD (GB/T 33190) files: real files,
made here (a .doc written by LibreOffice from a .docx, an OFD package per the standard), read like
the other formats, and bad ones refused with one line."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from zhengce.pipeline import parse_paths
from zhengce.read import InputError, read_file
from zhengce.read.legacy import soffice

NOTICE = ["湖南省人民政府关于支持中小企业发展的通知", "湘政发〔2024〕3号", "各市州人民政府：",
          "一、对新认定的专精特新“小巨人”企业，给予一次性奖励50万元。（责任单位：省工业和信息化厅）",
          "湖南省人民政府", "2024年3月1日"]


@pytest.fixture(scope="module")
def word97(tmp_path_factory) -> Path:
    """A real Word 97 file: a .docx saved as .doc by LibreOffice."""
    exe = soffice()
    if exe is None:
        pytest.fail("LibreOffice is missing: run scripts/setup-system.sh (make test does)")
    tmp = tmp_path_factory.mktemp("doc")
    d = docx.Document()
    for line in NOTICE:
        d.add_paragraph(line)
    d.save(tmp / "notice.docx")
    subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "doc",
                    "--outdir", str(tmp), str(tmp / "notice.docx")], check=True, capture_output=True, timeout=180)
    path = tmp / "notice.doc"
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    return path


def test_a_doc_file_is_read_with_its_elements(word97):
    (item,) = list(parse_paths([word97], with_extractions=True))
    assert item.error is None
    (d,) = item.documents
    assert (d.title, d.doc_number, d.issuer, d.date) == (NOTICE[0], "湘政发〔2024〕3号", "湖南省人民政府", "2024-03-01")
    assert item.source.format == "doc"
    assert any(r.type == "benefit" and r.fields["amount"]["max"] == 50 for r in item.extractions[0])


def test_a_wps_file_in_word_format_is_read(word97, tmp_path):
    wps = tmp_path / "通知.wps"  # WPS Office saves .wps in the Word binary format
    shutil.copy(word97, wps)
    (src,) = read_file(wps)
    assert src.format == "wps" and NOTICE[1] in src.text


def test_a_broken_doc_is_one_line_and_the_batch_goes_on(word97, tmp_path):
    bad = tmp_path / "坏.doc"
    bad.write_bytes(word97.read_bytes()[:1500])
    good = tmp_path / "好.txt"
    good.write_text("\n".join(NOTICE), encoding="utf-8")
    items = list(parse_paths([bad, good]))
    assert items[0].error is not None and "\n" not in str(items[0].error) and str(bad) in str(items[0].error)
    assert items[1].error is None and items[1].documents[0].doc_number == "湘政发〔2024〕3号"


def _ofd(path: Path, pages: list[list[tuple[float, str]]], *, drop: str | None = None) -> Path:
    """An OFD package (GB/T 33190): OFD.xml → Doc_0/Document.xml → Pages/Page_N/Content.xml with TextObjects."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    files = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD"><ofd:DocBody>'
                   '<ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
        "Doc_0/Document.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData>'
                              '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>'
                              + "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
                              + "</ofd:Pages></ofd:Document>",
    }
    for i, lines in enumerate(pages):
        objs = []
        for n, (y, text) in enumerate(lines):
            # A line printed as two runs (as OFD writers split at font changes).
            half = len(text) // 2
            objs.append(f'<ofd:TextObject ID="{i}{n}a" Boundary="25 {y} 80 6" Font="1" Size="4.2">'
                        f'<ofd:TextCode X="0" Y="4.2">{text[:half]}</ofd:TextCode></ofd:TextObject>')
            objs.append(f'<ofd:TextObject ID="{i}{n}b" Boundary="{25 + 4.2 * half} {y} 80 6" Font="1" Size="4.2">'
                        f'<ofd:TextCode X="0" Y="4.2">{text[half:]}</ofd:TextCode></ofd:TextObject>')
        files[f"Doc_0/Pages/Page_{i}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="L{i}">'
            + "".join(reversed(objs)) + "</ofd:Layer></ofd:Content></ofd:Page>")
    with zipfile.ZipFile(path, "w") as zf:
        for name, body in files.items():
            if name != drop:
                zf.writestr(name, body)
    return path


def test_an_ofd_file_is_read_line_by_line_and_page_by_page(tmp_path):
    lines = [(30 + 8 * k, t) for k, t in enumerate(NOTICE[:4])]
    path = _ofd(tmp_path / "通知.ofd", [lines, [(30, NOTICE[4]), (38, NOTICE[5])]])
    (src,) = read_file(path)
    assert src.format == "ofd"
    assert src.text.split("\n")[:4] == NOTICE[:4]  # runs joined, lines in reading order
    assert "\f" in src.text.split("\n")
    (item,) = list(parse_paths([path]))
    (d,) = item.documents
    assert (d.title, d.doc_number, d.issuer, d.date) == (NOTICE[0], "湘政发〔2024〕3号", "湖南省人民政府", "2024-03-01")


@pytest.mark.parametrize("drop, reason", [("Doc_0/Document.xml", "缺少 Doc_0/Document.xml"), ("none", "没有文字层")])
def test_bad_ofd_files(tmp_path, drop, reason):
    pages = [[]] if drop == "none" else [[(30, NOTICE[0])]]
    path = _ofd(tmp_path / "坏.ofd", pages, drop=drop)
    with pytest.raises(InputError) as e:
        read_file(path)
    assert reason in str(e.value) and "\n" not in str(e.value)
