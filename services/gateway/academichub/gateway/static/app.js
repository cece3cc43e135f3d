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

  // Messages (query errors, warnings) come back in the page's language.
  const pageLanguage = () => (document.body.dataset.lang === "en" ? "en" : "zh-CN");

  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRF-Token": csrf(),
        "Accept-Language": pageLanguage(),
      },
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

  // Live preview: how the query was read, its traps, and how many papers it would have
  // caught per day. While the query does not parse, saving is disabled (the server
  // refuses it too, and gives the form back intact).
  function setupPreview() {
    const query = document.getElementById("radar-query");
    const bars = document.getElementById("preview-bars");
    const summary = document.getElementById("preview-summary");
    const top = document.getElementById("preview-top");
    const error = document.getElementById("preview-error");
    const reading = document.getElementById("query-reading");
    const readingText = document.getElementById("query-reading-text");
    const warnings = document.getElementById("query-warnings");
    const save = document.getElementById("radar-save");
    const blocked = document.getElementById("save-blocked");
    const counter = document.getElementById("query-counter");
    // The semantic parts: seed papers (ids or a BibTeX/RIS paste), interest, papers a day.
    const seeds = document.getElementById("radar-seeds");
    const interest = document.getElementById("radar-interest");
    const perDay = document.getElementById("radar-per-day");
    if (!query || !bars || !summary || !top || !error) return;
    let timer = null;
    let sequence = 0;

    function blockSave(on) {
      if (save) save.disabled = on;
      if (blocked) blocked.hidden = !on;
    }

    function count() {
      if (!counter) return;
      const limit = Number(query.dataset.limit || "0");
      const n = query.value.trim().length;
      counter.textContent = counter.dataset.template.replace("{n}", String(n));
      counter.classList.toggle("over", limit > 0 && n > limit);
    }

    function clearReading() {
      if (reading) reading.hidden = true;
      if (warnings) {
        warnings.hidden = true;
        warnings.replaceChildren();
      }
    }

    function meaning() {
      const body = {};
      const seedText = seeds ? seeds.value.trim() : "";
      if (seedText) {
        // As the server reads the box: an export is pasted whole, else ids one by one.
        if (/@\s*[A-Za-z]+\s*[{(]/.test(seedText) || /^TY  - /m.test(seedText)) {
          body.references = seedText;
        } else {
          body.seeds = seedText.split(/[\s,;]+/).filter((w) => w);
        }
      }
      const described = interest ? interest.value.trim() : "";
      if (described) body.interest = described;
      const rate = perDay ? Number(perDay.value) : 0;
      if ((seedText || described) && rate > 0) body.per_day = rate;
      return body;
    }

    async function refresh() {
      const text = query.value.trim();
      const mine = ++sequence;
      const limit = Number(query.dataset.limit || "0");
      const semantic = meaning();
      const bySense = Object.keys(semantic).length > 0;
      if ((!text && !bySense) || (limit > 0 && text.length > limit)) {
        // Over the limit the server says so on save (with the limit); nothing is cut here.
        summary.textContent = summary.dataset.idle;
        bars.replaceChildren();
        top.replaceChildren();
        error.hidden = true;
        clearReading();
        blockSave(false);
        return;
      }
      const result = await postJson("/api/radars/preview", {
        query: text,
        top: 3,
        ...semantic,
      });
      if (mine !== sequence) return; // a newer keystroke already asked
      if (!result.ok) {
        const data = result.data || {};
        error.replaceChildren();
        error.append(element("p", "", data.message || "error " + result.status));
        if (typeof data.position === "number") {
          error.append(element("pre", "caret", text + "\n" + " ".repeat(data.position) + "^"));
        }
        error.hidden = false;
        clearReading();
        blockSave(data.error === "invalid_query");
        return;
      }
      error.hidden = true;
      blockSave(false);
      const data = result.data;
      if (reading && readingText) {
        readingText.textContent = data.reading;
        reading.hidden = !data.reading;
      }
      if (warnings) {
        warnings.replaceChildren(...data.warnings.map((w) => element("li", "warning", w.message)));
        warnings.hidden = data.warnings.length === 0;
      }
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
      count();
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    [seeds, interest, perDay].forEach((field) => {
      if (!field) return;
      field.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(refresh, 500);
      });
    });
    count();
    // A form given back with a query error: put the caret where the mistake is.
    if (query.dataset.errorPosition !== undefined) {
      const at = Number(query.dataset.errorPosition);
      query.focus();
      query.setSelectionRange(at, at);
      blockSave(true);
    }
    if (query.value.trim() || Object.keys(meaning()).length) refresh();
  }

  // The schedule: show the fields the chosen kind uses; offer the browser's time zone
  // for a new radar.
  function setupSchedule() {
    const form = document.getElementById("radar-form");
    const zone = document.getElementById("schedule-timezone");
    if (!form) return;
    const show = () => {
      const checked = form.querySelector('input[name="schedule_kind"]:checked');
      const kind = checked ? checked.value : "daily";
      form.querySelectorAll(".when-clock").forEach((el) => (el.hidden = kind === "every_n"));
      form.querySelectorAll(".when-weekly").forEach((el) => (el.hidden = kind !== "weekly"));
      form.querySelectorAll(".when-count").forEach((el) => (el.hidden = kind !== "every_n"));
    };
    form.querySelectorAll('input[name="schedule_kind"]').forEach((el) => {
      el.addEventListener("change", show);
    });
    show();
    if (zone && zone.dataset.guess === "1" && window.Intl) {
      const guessed = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const known = document.querySelector('#zones option[value="' + guessed + '"]');
      if (guessed && known) zone.value = guessed;
    }
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

  // A radar just saved: its recent matches and first briefing come within seconds, so
  // the page reloads itself a few times meanwhile (never while the user is typing).
  function setupPendingReload() {
    const pending = document.querySelector("[data-pending]");
    const key = "pending-reloads:" + location.pathname;
    if (!pending) {
      sessionStorage.removeItem(key);
      return;
    }
    const done = Number(sessionStorage.getItem(key) || "0");
    if (done >= 15) return;
    setTimeout(() => {
      const active = document.activeElement;
      if (active && active.closest("form")) return;
      sessionStorage.setItem(key, String(done + 1));
      location.reload();
    }, 4000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    renderTex(document);
    setupPreview();
    setupSchedule();
    setupFeedback();
    setupPendingReload();
  });
})();
