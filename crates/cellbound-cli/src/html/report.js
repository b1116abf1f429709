// Draws the report from the JSON in #data. Every text from the data goes
// through esc() before it reaches innerHTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  }

  // The summary, the legend, the tables, the detail panel.
  var html = ['<header><h1>cellbound ' + esc(data.command) + ': ' + esc(data.file) + '</h1>'];
  html.push('<div class="summary" id="summary">');
  data.summary.forEach(function (line) {
    var m = /^(PASS|FAIL):/.exec(line);
    html.push(m ? '<p><span class="verdict ' + m[1].toLowerCase() + '" id="verdict">' + m[1] +
      '</span>' + esc(line.slice(m[1].length)) + '</p>' : '<p>' + esc(line) + '</p>');
  });
  if (data.infeasible) {
    html.push('<p id="infeasible"><b>infeasible:</b> ' + esc(data.infeasible) + '</p>');
  }
  if (data.note) html.push('<p class="note" id="note">' + esc(data.note) + '</p>');
  html.push('</div>');
  if (data.hidden.length) {
    html.push('<div class="legend">' +
      '<span><span class="sw exact"></span>exact: =v, the value is known</span>' +
      '<span><span class="sw narrow"></span>narrow: at most ' + (data.narrow + 1) +
      ' possible values (hi - lo &le; ' + data.narrow + ')</span>' +
      '<span><span class="sw wide"></span>wide: more values</span>' +
      '<span><span class="sw unbounded"></span>unbounded: lo.., no upper bound</span>' +
      (data.command === "audit" ? '<span>dark outline: the audit fails the cell</span>' : '') +
      '<span>blue outline: the lines that pin the selected cell</span>' +
      '<span>? not proved tight, ^ rests on the threshold</span></div>');
  }
  html.push('</header><main><section>');
  if (data.tables.length) {
    html.push('<div class="tools"><input id="search" type="search" placeholder="search rows by label"></div>');
  }
  data.tables.forEach(function (t, ti) {
    html.push('<h2>' + esc(t.name) + '</h2><div class="scroll"><table data-t="' + ti + '"><thead><tr>');
    t.dims.forEach(function (d) { html.push('<th class="lab">' + esc(d) + '</th>'); });
    t.cols.forEach(function (c) { html.push('<th>' + esc(c) + '</th>'); });
    html.push('</tr></thead><tbody>');
    t.rows.forEach(function (row, ri) {
      html.push('<tr data-r="' + ri + '">');
      row.labels.forEach(function (label, li) {
        var pad = li === 0 ? ' style="padding-left:' + (8 + 16 * row.depth) + 'px"' : '';
        var fold = li === 0 && row.kids ? '<button class="fold" data-r="' + ri + '" title="fold">&#9662;</button>' : '';
        html.push('<td class="lab"' + pad + '>' + fold + esc(label) + '</td>');
      });
      row.cells.forEach(function (v, ci) {
        var key = ti + ':' + ri + ':' + ci;
        if (typeof v === "string") {
          var n = +v.slice(1), h = data.hidden[n];
          var cls = "v h " + h["class"] + (h.verdict === "fail" ? " fail" : "");
          var est = h.estimate !== undefined ? '<span class="est">&asymp;' + h.estimate + '</span>' : '';
          html.push('<td class="' + cls + '" data-h="' + n + '" data-key="' + esc(h.key) +
            '" data-iv="' + esc(h.iv) + '" title="' + esc(h.name) + '">' + esc(h.iv) + est + '</td>');
        } else {
          html.push('<td class="v" data-key="' + key + '">' + (v === null ? 0 : v) + '</td>');
        }
      });
      html.push('</tr>');
    });
    html.push('</tbody></table></div>');
  });
  html.push('</section><aside id="detail"><p>Select a hidden cell (or open the page with #cell=N) to see its interval and the derivation of each bound.</p></aside></main>');
  document.body.insertAdjacentHTML("beforeend", html.join(""));

  // Folding and search: a row shows when it matches the search, or, with
  // no search, when no row above it in the hierarchy is folded.
  var folded = data.tables.map(function () { return {}; });
  var search = document.getElementById("search");
  function refresh() {
    var q = search ? search.value.trim().toLowerCase() : "";
    data.tables.forEach(function (t, ti) {
      var trs = document.querySelectorAll('table[data-t="' + ti + '"] tbody tr');
      t.rows.forEach(function (row, ri) {
        var show;
        if (q) {
          show = row.labels.join(" ").toLowerCase().indexOf(q) >= 0;
        } else {
          show = true;
          for (var p = row.parent; p !== null && p !== undefined; p = t.rows[p].parent) {
            if (folded[ti][p]) { show = false; break; }
          }
        }
        trs[ri].style.display = show ? "" : "none";
      });
    });
  }
  if (search) search.addEventListener("input", refresh);

  // Selection: the cell, the lines of its derivations, the panel.
  var byKey = null;
  function cellsOf(key) {
    if (!byKey) {
      byKey = {};
      document.querySelectorAll("td[data-key]").forEach(function (td) { byKey[td.dataset.key] = td; });
    }
    return byKey[key];
  }
  function select(n) {
    var h = data.hidden[n];
    if (!h) return;
    document.querySelectorAll("td.sel, td.pin").forEach(function (td) { td.classList.remove("sel", "pin"); });
    (h.lines || []).forEach(function (line) {
      line.keys.forEach(function (k) { var td = cellsOf(k); if (td) td.classList.add("pin"); });
    });
    var td = cellsOf(h.key);
    if (td) { td.classList.add("sel"); td.scrollIntoView({ block: "nearest", inline: "nearest" }); }
    var p = ['<h2 id="sel-name">' + esc(h.name) + '</h2>',
      '<p>interval <b id="sel-iv">' + esc(h.iv) + '</b> (' + esc(h.status) + ', ' + esc(h["class"]) + ')</p>'];
    if (h.verdict) {
      p.push('<p>audit: <b id="sel-verdict">' + esc(h.verdict) + '</b>, true value ' + h.value +
        (h.why ? '<br>' + esc(h.why) : '') + '</p>');
      if (h.pinned_by) p.push('<p>pinned by ' + h.pinned_by.map(esc).join(", ") + '</p>');
    }
    if (h.estimate !== undefined) {
      p.push('<p>estimate <b id="sel-estimate">' + h.estimate + '</b> (' + esc(h.method) + ')</p>');
    }
    if (h.lower !== undefined) {
      p.push('<h2>lower bound ' + h.lo + ':</h2><pre id="sel-lower">' + esc(h.lower) + '</pre>');
      p.push('<h2>' + (h.hi === null ? 'no upper bound:' : 'upper bound ' + h.hi + ':') +
        '</h2><pre id="sel-upper">' + esc(h.upper) + '</pre>');
      if (h.lines && h.lines.length) {
        p.push('<p>lines used (outlined in blue):</p><ul>' + h.lines.map(function (l) {
          return '<li class="pinline">' + esc(l.name) + '</li>';
        }).join("") + '</ul>');
      }
    } else {
      p.push('<p class="note">' + esc(data.note || "No derivations in this report.") + '</p>');
    }
    var aside = document.getElementById("detail");
    aside.innerHTML = p.join("");
    aside.dataset.cell = n;
  }
  document.querySelector("main").addEventListener("click", function (e) {
    var b = e.target.closest("button.fold");
    if (b) {
      var ti = +b.closest("table").dataset.t, r = +b.dataset.r;
      folded[ti][r] = !folded[ti][r];
      b.innerHTML = folded[ti][r] ? "&#9656;" : "&#9662;";
      refresh();
      return;
    }
    var td = e.target.closest("td.h");
    if (td) {
      select(+td.dataset.h);
      history.replaceState(null, "", "#cell=" + td.dataset.h);
    }
  });
  function fromHash() {
    var m = /cell=(\d+)/.exec(location.hash);
    if (m) select(+m[1]);
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
