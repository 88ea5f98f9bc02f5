// 政策通: small progressive enhancements; every page works without this file.
"use strict";

(function reader() {
  const text = document.getElementById("text-view");
  if (!text) return;
  const records = JSON.parse(document.getElementById("records").textContent);
  const labels = JSON.parse(document.getElementById("labels").textContent);
  const info = document.querySelector("#info .info-body");
  const boxes = [...document.querySelectorAll(".legend input[data-type]")];

  const enabled = () => new Set(boxes.filter(b => b.checked).map(b => b.dataset.type));
  const covering = (mark, on) => mark.dataset.r.split(",").map(Number).filter(i => on.has(records[i].type));

  // Colour each mark by its most specific record whose type is switched on
  // (data-r lists them most specific first); underline where several are on.
  function recolour() {
    const on = enabled();
    text.className = "text-view";
    text.querySelectorAll("mark").forEach(m => {
      const ids = covering(m, on);
      m.className = (ids.length ? "x-" + records[ids[0]].type : "x-none") + (ids.length > 1 ? " nested" : "")
        + (m === pinned ? " active" : "");
    });
  }
  boxes.forEach(b => b.addEventListener("change", recolour));

  function detail(mark) {
    info.replaceChildren();
    covering(mark, enabled()).map(i => records[i]).forEach(r => {
      const div = document.createElement("div");
      div.className = "rec";
      const head = document.createElement("span");
      head.className = "chip x-" + r.type;
      head.textContent = labels[r.type] || r.type;
      const quote = document.createElement("q");
      quote.textContent = r.quote;
      const dl = document.createElement("dl");
      for (const [name, value] of r.fields) {
        const dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = name;
        dd.textContent = value;
        dl.append(dt, dd);
      }
      const cite = document.createElement("a");
      cite.href = "?view=original#line-" + r.line_start;
      cite.textContent = "出处：原文第" + r.line_start + (r.line_end !== r.line_start ? "–" + r.line_end : "") + "行";
      div.append(head, quote, dl, cite);
      info.append(div);
    });
  }
  let pinned = null;
  recolour();
  text.addEventListener("mouseover", e => {
    const m = e.target.closest("mark");
    if (m && !pinned && !m.classList.contains("x-none")) detail(m);
  });
  text.addEventListener("click", e => {
    const m = e.target.closest("mark");
    if (!m || m.classList.contains("x-none")) return;
    if (pinned) pinned.classList.remove("active");
    pinned = pinned === m ? null : m;
    if (pinned) pinned.classList.add("active");
    detail(m);
  });

  // 整理后文本 / 原文 without a reload; the links still work on their own.
  const views = { text: text, original: document.getElementById("original-view") };
  function switchTo(view, hash) {
    for (const [name, el] of Object.entries(views)) el.hidden = name !== view;
    document.querySelectorAll(".tabs a").forEach(a => a.setAttribute("aria-selected", String(a.dataset.view === view)));
    const url = new URL(location.href);
    url.searchParams.set("view", view);
    url.hash = hash || "";
    history.replaceState(null, "", url);
    const target = hash && document.getElementById(hash.slice(1));
    if (target) target.scrollIntoView({ block: "center" });
  }
  document.addEventListener("click", e => {
    const a = e.target.closest("a[href^='?view=']");
    if (!a) return;
    e.preventDefault();
    const url = new URL(a.href, location.href);
    switchTo(url.searchParams.get("view"), url.hash);
  });

  const hl = document.querySelector(".node.hl");
  if (hl && !views.text.hidden) hl.scrollIntoView({ block: "center" });
})();

(function matchForm() {
  const form = document.getElementById("profile-form");
  if (!form) return;
  const rows = document.getElementById("fact-rows");
  const add = document.getElementById("add-fact");

  function newRow(name) {
    const row = rows.querySelector(".fact-row").cloneNode(true);
    row.querySelectorAll("input").forEach(i => { i.value = ""; });
    row.querySelector(".fact-label")?.remove();
    row.querySelector("input[name=fact_name]").value = name || "";
    rows.append(row);
    return row;
  }
  add.hidden = false;
  add.addEventListener("click", () => newRow().querySelector("input").focus());

  // 需补充: take the reader to the control for that fact (a form field, or a 其他事实 row).
  document.addEventListener("click", e => {
    const chip = e.target.closest(".fact-chip");
    if (!chip) return;
    const name = chip.dataset.fact;
    let input = form.elements.namedItem(name);
    if (!input || input instanceof RadioNodeList) {
      const names = [...rows.querySelectorAll("input[name=fact_name]")];
      const row = (names.find(i => i.value === name) || names.find(i => !i.value))?.closest(".fact-row") || newRow();
      row.querySelector("input[name=fact_name]").value = name;
      input = row.querySelector("input[name=fact_value]");
    }
    input.scrollIntoView({ block: "center" });
    input.focus();
  });
})();

document.addEventListener("click", e => {
  const b = e.target.closest("[data-confirm]");
  if (b && !confirm(b.dataset.confirm)) e.preventDefault();
});

// 打印 (the CSP allows no inline handlers).
document.addEventListener("click", e => {
  if (e.target.closest("[data-print]")) window.print();
});
