"""The planning table's page: the report of the current what-if beside its inputs.

The right of the page is the report (`kantorovich.report.html.report_parts`: the
headline, the sentences, the flows chart, prices, rule costs and moves, every number
with its ``data-path`` into ``kantorovich-data``, the ``solve --json`` object); the left
holds an input for each number a planner may move (`kantorovich.serve.inputs`), each
with its ``data-change`` key. `TABLE_JS` commits an input on Enter or when it loses
focus, asks the server for the new report (``POST /api/view``), puts it in place and
redraws its charts, and keeps the state in the URL (``?supply.wheat=4500``), so that a
view can be shared and reloaded.

The page fetches nothing from outside: plotly.js and the script are served by the
server itself (`POLICY` allows scripts and connections to the page's own origin only),
and every text of the plan is escaped here or by the report's page parts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from kantorovich.report.html import ReportParts
from kantorovich.report.offline import CONFIG, POLICY
from kantorovich.report.page_parts import esc
from kantorovich.serve.inputs import KINDS

__all__ = ["POLICY_SERVED", "TABLE_JS", "input_rows", "table_page", "view_query"]

#: The report's offline policy, widened to the server's own origin for scripts (plotly.js
#: and the page's script, no inline script at all) and for the page's requests.
POLICY_SERVED = (POLICY.replace("script-src 'unsafe-inline'", "script-src 'self'")
                 + "; connect-src 'self'")

_STYLE = """
main.table { max-width: 1480px; display: grid; grid-template-columns: 380px 1fr; gap: 28px;
             align-items: start; }
#controls { position: sticky; top: 0; max-height: 100vh; overflow-y: auto;
            padding: 18px 8px 24px 0; font-size: 13.5px; }
#controls h2 { font-size: 15px; margin: 18px 0 6px; padding-top: 8px; }
#controls .kicker { margin-bottom: 4px; }
.field { display: grid; grid-template-columns: 1fr 108px 64px; gap: 6px; align-items: center;
         margin: 3px 0; line-height: 1.25; }
.field .what { color: var(--muted); font-size: 12px; overflow: hidden; text-overflow: ellipsis;
               white-space: nowrap; }
.field input { width: 108px; padding: 2px 6px; font: inherit; text-align: right;
               font-variant-numeric: tabular-nums; border: 1px solid var(--rule); }
.field input.moved { border-color: var(--blue); background: #eef4fb; }
.field input[aria-invalid="true"] { border-color: var(--bad); background: #fbeceb; }
#status { min-height: 1.5em; color: var(--muted); }
#problems { color: var(--bad); }
#problems:empty { display: none; }
button { font: inherit; padding: 4px 10px; }
#search { width: 100%; padding: 4px 6px; font: inherit; }
#found button { display: block; width: 100%; text-align: left; margin: 2px 0; }
.more { color: var(--muted); font-size: 12px; }
body[data-busy="true"] #result { opacity: .55; transition: opacity .2s; }
"""

#: The page's script, served as ``/table.js`` (see the module docstring).
TABLE_JS = r"""
(function () {
  "use strict";
  var CONFIG = __CONFIG__;
  var body = document.body, state = JSON.parse(body.getAttribute("data-state") || "{}");
  var accepted = JSON.stringify(state);     // the last state the server answered
  var asked = 0, shown = 0, answers = 0;

  // Each chart's plot, kept across what-ifs: a new answer's empty slot is replaced by
  // the plot already drawn, which Plotly.react updates (what changed only: a third of
  // newPlot's time); a chart the answer no longer has is purged (its listeners too).
  var plots = {};
  function draw() {
    var element = document.getElementById("kantorovich-figures");
    var figures = element ? JSON.parse(element.textContent) : {};
    Object.keys(plots).forEach(function (name) {
      if (!figures[name] || !document.getElementById("chart-" + name)) {
        Plotly.purge(plots[name]);
        delete plots[name];
      }
    });
    Object.keys(figures).forEach(function (name) {
      var slot = document.getElementById("chart-" + name), plot = plots[name];
      if (!slot) { return; }
      if (plot && plot !== slot) { slot.replaceWith(plot); slot = plot; }
      plots[name] = slot;
      slot.removeAttribute("data-drawn");
      (plot ? Plotly.react : Plotly.newPlot)(
        slot, figures[name].data, figures[name].layout, CONFIG).then(
        function () { slot.setAttribute("data-drawn", "true"); });
    });
  }

  function query() {
    var keys = Object.keys(state).sort();
    return keys.map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(String(state[k]));
    }).join("&");
  }

  function say(text) { document.getElementById("status").textContent = text; }

  function showProblems(problems) {
    var list = document.getElementById("problems");
    list.textContent = "";
    (problems || []).forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = p.message + (p.hint ? " (" + p.hint + ")" : "");
      list.appendChild(item);
    });
  }

  function fields() { return document.querySelectorAll("input[data-change]"); }

  function mark() {
    fields().forEach(function (input) {
      var key = input.getAttribute("data-change");
      input.classList.toggle("moved", Object.prototype.hasOwnProperty.call(state, key));
    });
  }

  function solve(blame) {
    var mine = ++asked;
    body.setAttribute("data-busy", "true");
    say("solving...");
    fetch("/api/view", {method: "POST", headers: {"Content-Type": "application/json"},
                        body: JSON.stringify({state: state})})
      .then(function (response) {
        return response.json().then(function (answer) {
          return {ok: response.ok, answer: answer};
        });
      })
      .then(function (got) {
        if (mine < shown) { return; }          // an older answer after a newer one
        shown = mine;
        if (mine === asked) { body.setAttribute("data-busy", "false"); }
        if (!got.ok) {
          if (blame) { blame.setAttribute("aria-invalid", "true"); }
          showProblems(got.answer.problems);
          say("refused: " + got.answer.message);
          body.setAttribute("data-refused",
                            String(Number(body.getAttribute("data-refused") || 0) + 1));
          state = JSON.parse(accepted);        // the refused number is not kept
          mark();
          return;
        }
        fields().forEach(function (input) { input.removeAttribute("aria-invalid"); });
        showProblems([]);
        accepted = JSON.stringify(state);
        document.getElementById("result").innerHTML = got.answer.html;
        draw();
        var q = query();
        history.replaceState(null, "", q ? "?" + q : location.pathname);
        var data = got.answer.summary;
        say(data.status + (data.solve_seconds !== null ? ", solved in " +
            (1000 * data.solve_seconds).toFixed(1) + " ms" : ""));
        answers += 1;
        body.setAttribute("data-answers", String(answers));
      })
      .catch(function (error) {
        if (mine === asked) { body.setAttribute("data-busy", "false"); }
        say("no answer from the server: " + error);
      });
  }

  function commit(input) {
    var key = input.getAttribute("data-change"), text = input.value.trim();
    var base = input.getAttribute("data-base");
    var before = Object.prototype.hasOwnProperty.call(state, key) ? String(state[key]) : null;
    if (text === "" || text === base) {
      delete state[key];
      input.value = base === "inf" ? "" : base;
    } else {
      var value = Number(text.replace(/,/g, ""));
      state[key] = (text.replace(/,/g, "") !== "" && isFinite(value)) ? value : text;
    }
    var after = Object.prototype.hasOwnProperty.call(state, key) ? String(state[key]) : null;
    if (after === before) { return; }
    mark();
    solve(input);
  }

  function listen(input) {
    input.addEventListener("change", function () { commit(input); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { commit(input); }
    });
  }

  function addField(item) {
    if (document.querySelector('input[data-change="' + CSS.escape(item.key) + '"]')) { return; }
    var group = document.getElementById("inputs-" + item.kind);
    if (!group) { return; }
    var label = document.createElement("label");
    label.className = "field";
    var name = document.createElement("span");
    name.className = "name";
    name.textContent = item.name;
    var input = document.createElement("input");
    input.type = "text";
    input.setAttribute("inputmode", "decimal");
    input.setAttribute("data-change", item.key);
    var base = item.value === "inf" ? "inf" : String(item.value);
    input.setAttribute("data-base", base);
    input.value = Object.prototype.hasOwnProperty.call(state, item.key) ?
      String(state[item.key]) : (base === "inf" ? "" : base);
    var what = document.createElement("span");
    what.className = "what";
    what.textContent = item.unit;
    label.title = item.key;
    label.appendChild(name); label.appendChild(input); label.appendChild(what);
    group.appendChild(label);
    listen(input);
  }

  var searching = 0;
  function search(text) {
    var mine = ++searching, found = document.getElementById("found");
    if (!text.trim()) { found.textContent = ""; return; }
    fetch("/api/plan?limit=20&q=" + encodeURIComponent(text))
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (mine !== searching) { return; }
        found.textContent = "";
        (answer.inputs || []).forEach(function (item) {
          var button = document.createElement("button");
          button.type = "button";
          button.setAttribute("data-add", item.key);
          button.textContent = item.name + " (" + item.key + ")";
          button.addEventListener("click", function () { addField(item); });
          found.appendChild(button);
        });
      });
  }

  fields().forEach(listen);
  mark();
  document.getElementById("reset").addEventListener("click", function () {
    state = {};
    fields().forEach(function (input) {
      var base = input.getAttribute("data-base");
      input.value = base === "inf" ? "" : base;
      input.removeAttribute("aria-invalid");
    });
    mark();
    solve(null);
  });
  var box = document.getElementById("search"), timer = null;
  if (box) {
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(box.value); }, 150);
    });
  }
  draw();
  body.setAttribute("data-busy", "false");
  body.setAttribute("data-answers", "0");
})();
""".replace("__CONFIG__", json.dumps({**CONFIG, "responsive": True,
                                       "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                                       "toImageButtonOptions": {"scale": 2}}))


def _value_text(value: float) -> str:
    """An input's value as typed: every digit kept (``repr``), unlimited as empty."""
    if value == float("inf"):
        return ""
    return repr(float(value)).removesuffix(".0")


def input_rows(inputs: pd.DataFrame, state: Mapping[str, float]) -> str:
    """The inputs, grouped by kind (`KINDS`), each labelled with the plan's name and
    unit and showing the state's value or the plan's."""
    groups: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for key, kind, name, unit, value in zip(inputs["key"], inputs["kind"], inputs["name"],
                                            inputs["unit"], inputs["value"]):
        base = "inf" if value == float("inf") else _value_text(value)
        shown = _value_text(state[key]) if key in state else (
            "" if base == "inf" else base)
        placeholder = ' placeholder="unlimited"' if base == "inf" else ""
        groups[kind].append(
            f'<label class="field" title="{esc(key)}"><span class="name">{esc(name)}</span>'
            f'<input type="text" inputmode="decimal" data-change="{esc(key)}" '
            f'data-base="{esc(base)}" value="{esc(shown)}"{placeholder}>'
            f'<span class="what">{esc(unit)}</span></label>')
    return "".join(f'<h2>{esc(heading)}</h2><div id="inputs-{kind}">'
                   + "".join(groups[kind]) + "</div>"
                   for kind, heading in KINDS.items())


def view_query(state: Mapping[str, float]) -> str:
    """The URL query of a state, keys sorted (as the page writes it)."""
    return urlencode(sorted((k, _value_text(v)) for k, v in state.items()))


def table_page(parts: ReportParts, inputs: pd.DataFrame, state: Mapping[str, float], *,
               counts: Mapping[str, int], source: str,
               refused: dict[str, Any] | None = None) -> str:
    """The whole page: the controls (inputs, reset, search, status) and the report.

    ``counts`` is how many numbers of each kind the plan has (a kind the page shows only
    in part says so, and the search finds the rest); ``refused`` is the refusal of a
    state given in the URL, shown above the inputs (the report is then the plan's own).
    """
    partial = any(counts.get(kind, 0) > int((inputs["kind"] == kind).sum())
                  for kind in KINDS)
    more = ""
    if partial:
        listed = ", ".join(f"{int((inputs['kind'] == kind).sum()):,} of "
                           f"{counts[kind]:,} {heading.lower()}"
                           for kind, heading in KINDS.items() if counts.get(kind))
        more = (f'<p class="more">Shown: the numbers the optimum depends on most '
                f"({esc(listed)}). Search for any other:</p>")
    problems = ""
    if refused:
        problems = "".join(f"<li>{esc(p['message'])}"
                           + (f" ({esc(p['hint'])})" if p.get("hint") else "") + "</li>"
                           for p in refused["problems"])
    controls = (
        '<aside id="controls"><div class="kicker">Planning table</div>'
        f"<p class=\"meta\">Move a number and press Enter (or leave the field): the plan "
        f"<code>{esc(source)}</code> is solved again and the report beside updates. "
        "An empty field returns to the plan's own value.</p>"
        '<p><button type="button" id="reset">Reset to the plan as written</button></p>'
        '<p id="status" role="status" aria-live="polite"></p>'
        f'<ul id="problems">{problems}</ul>'
        + more
        + '<input type="search" id="search" placeholder="Search goods, processes, rules" '
          'aria-label="Search the plan\'s numbers"><div id="found"></div>'
        + input_rows(inputs, state) + "</aside>")
    title = parts.title.replace("optimal planning report", "planning table")
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY_SERVED}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{parts.style}{_STYLE}</style>",
        '<script src="/plotly.min.js"></script></head>',
        f"<body data-state=\"{esc(json.dumps(dict(state), allow_nan=False))}\">",
        f'<main class="table">{controls}<div id="result">',
        *parts.body, *parts.scripts, "</div></main>",
        '<script src="/table.js"></script></body></html>\n'])


def fragment(parts: ReportParts) -> str:
    """What replaces ``#result`` after a what-if: the report's sections and its JSON."""
    return "".join([*parts.body, *parts.scripts])


