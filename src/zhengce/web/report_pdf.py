"""The evaluation report as one self-contained HTML file, and as PDF through headless Chromium.

    html = standalone_html(report_data(store, "mid"))   # CSS, ECharts, chart code and data inline
    pdf = report_pdf(html)                              # bytes starting with %PDF; PdfUnavailable if no browser

The HTML fetches nothing (no network, no /static): Chromium loads it from a
temporary directory, runs the chart code (virtual time, so the charts are
drawn before printing) and prints it to PDF.  The converter is looked up as
$ZHENGCE_CHROMIUM, then chromium / chromium-browser / google-chrome on PATH,
then /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from markupsafe import Markup

from . import monitor_views as mv
from .templating import templates

HERE = Path(__file__).parent
STATIC = HERE / "static"
TIMEOUT = 120  # seconds for one conversion
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfUnavailable(Exception):
    """No PDF converter (Chromium) was found, or it failed: the message says which, in Chinese."""


def _inline_js(text: str) -> Markup:
    # Inside <script>, only "</script" can end the element early; "<\/" means the same in JS strings.
    return Markup(text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT"))


def standalone_html(data: dict, *, base_url: str | None = None) -> str:
    """The report page with everything it needs inline: styles, ECharts, the chart code and data."""
    return templates.env.get_template("report_standalone.html").render(
        r=data, status_labels=mv.STATUS_LABELS, cite=mv.cite, target_text=mv.target_text, base_url=base_url,
        css=Markup((STATIC / "style.css").read_text(encoding="utf-8")),
        echarts_js=_inline_js((STATIC / "vendor" / "echarts" / "echarts.min.js").read_text(encoding="utf-8")),
        monitor_js=_inline_js((STATIC / "monitor.js").read_text(encoding="utf-8")),
        generated_at=datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M"),
    )


def find_chromium() -> str | None:
    env = os.environ.get("ZHENGCE_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def html_to_pdf(html: str, *, timeout: float = TIMEOUT) -> bytes:
    """Print the HTML to PDF with headless Chromium; PdfUnavailable if there is none or it fails."""
    browser = find_chromium()
    if browser is None:
        raise PdfUnavailable("未找到 PDF 转换程序（Chromium）：请安装 chromium（scripts/setup-system.sh），"
                             "或设置 ZHENGCE_CHROMIUM 为其路径；也可下载 HTML / XLSX 版本。")
    with tempfile.TemporaryDirectory(prefix="zhengce-pdf-") as tmp:
        src, out, profile = Path(tmp) / "report.html", Path(tmp) / "report.pdf", Path(tmp) / "profile"
        src.write_text(html, encoding="utf-8")
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", "--virtual-time-budget=10000", f"--print-to-pdf={out}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"PDF 转换超时（{timeout:g} 秒）：{browser}") from None
        except OSError as e:
            raise PdfUnavailable(f"无法运行 PDF 转换程序 {browser}：{e}") from None
        if not out.is_file() or out.stat().st_size == 0:
            tail = (proc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfUnavailable(f"PDF 转换失败（{browser} 退出码 {proc.returncode}）：{' '.join(tail)[:300]}")
        data = out.read_bytes()
    if not data.startswith(b"%PDF"):
        raise PdfUnavailable(f"PDF 转换失败：{browser} 没有写出 PDF")
    return data


def report_pdf(data: dict, *, base_url: str | None = None, timeout: float = TIMEOUT) -> bytes:
    """The evaluation report (monitor_views.report_data) as PDF bytes."""
    return html_to_pdf(standalone_html(data, base_url=base_url), timeout=timeout)
