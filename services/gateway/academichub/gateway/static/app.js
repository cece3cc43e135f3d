// AcademicHub pages: TeX rendering, the radar preview, 👍/👎 without a reload.
// Loaded as an external file (the CSP forbids inline script). Everything built here from
// server data goes through textContent, never innerHTML: feed text stays text.
"use strict";

(function () {
  const csrf = () => {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };

  // TeX in titles and abstracts: $…$, $$…$$, \(…\), \[…\]. trust:false keeps \href and
  // friends off; errors render as the source text instead of throwing.
  function renderTex(root) {
    if (typeof window.renderMathInElement !== "function") return;
    root.querySelectorAll(".tex").forEach((el) => {
      window.renderMathInElement(el, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false },
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true },
        ],
        throwOnError: false,
        trust: false,
        strict: "ignore",
        maxExpand: 200,
        maxSize: 20,
      });
    });
  }

  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    return { ok: response.ok, status: response.status, data };
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // Live preview: how many papers the query would have caught per day.
  function setupPreview() {
    const query = document.getElementById("radar-query");
    const bars = document.getElementById("preview-bars");
    const summary = document.getElementById("preview-summary");
    const top = document.getElementById("preview-top");
    const error = document.getElementById("preview-error");
    if (!query || !bars || !summary || !top || !error) return;
    let timer = null;
    let sequence = 0;

    async function refresh() {
      const text = query.value.trim();
      const mine = ++sequence;
      if (!text) {
        summary.textContent = summary.dataset.idle;
        bars.replaceChildren();
        top.replaceChildren();
        error.hidden = true;
        return;
      }
      const result = await postJson("/api/radars/preview", { query: text, days: 30, top: 3 });
      if (mine !== sequence) return; // a newer keystroke already asked
      if (!result.ok) {
        const data = result.data || {};
        error.replaceChildren();
        error.append(element("p", "", data.message || "error " + result.status));
        if (typeof data.position === "number") {
          error.append(element("pre", "caret", text + "\n" + " ".repeat(data.position) + "^"));
        }
        error.hidden = false;
        return;
      }
      error.hidden = true;
      const data = result.data;
      summary.textContent = summary.dataset.total.replace("{total}", String(data.total));
      const most = Math.max(1, ...data.per_day.map((d) => d.count));
      bars.replaceChildren(
        ...data.per_day.map((d) => {
          const bar = element("span", "bar");
          bar.title = d.date + ": " + d.count;
          bar.dataset.count = String(d.count);
          // CSSOM, which the CSP allows (it forbids style attributes in markup).
          bar.style.height = Math.round((d.count / most) * 100) + "%";
          return bar;
        })
      );
      top.replaceChildren(...data.top.map((p) => element("li", "tex", p.title)));
      renderTex(top.parentElement || document);
    }

    query.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    if (query.value.trim()) refresh();
  }

  // 👍/👎: post through the API and flip the buttons; without script the form posts.
  function setupFeedback() {
    document.querySelectorAll("form.feedback-form").forEach((form) => {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const radar = form.action.split("/radars/")[1].split("/")[0];
        const paper = form.elements.paper_id.value;
        const verdict = form.elements.verdict.value;
        const result = await postJson("/api/radars/" + radar + "/feedback", {
          paper_id: paper,
          verdict: verdict,
        });
        if (!result.ok) return;
        const group = form.closest(".feedback");
        group.querySelectorAll("form.feedback-form").forEach((f) => {
          const button = f.querySelector("button");
          const own = button.dataset.verdict;
          const pressed = verdict !== "none" && own === verdict;
          button.setAttribute("aria-pressed", pressed ? "true" : "false");
          f.elements.verdict.value = pressed ? "none" : own;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    renderTex(document);
    setupPreview();
    setupFeedback();
  });
})();
