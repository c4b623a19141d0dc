"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var NAMES = {study: "study", condition: "condition", cell_type: "cell type",
    route: "route", outcome: "outcome measure"};
  var data = JSON.parse(document.getElementById("stemkg-data").textContent);
  var svg = document.getElementById("network");
  var detail = document.getElementById("detail");
  var neighbours = data.nodes.map(function () { return []; });
  var groups = [];
  var lines = [];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function short(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  function draw() {
    data.edges.forEach(function (e, i) {
      var a = data.nodes[e[0]], b = data.nodes[e[1]];
      neighbours[e[0]].push(e[1]);
      neighbours[e[1]].push(e[0]);
      var line = svgEl("line", {x1: a.x, y1: a.y, x2: b.x, y2: b.y, "class": "edge",
        "data-edge": i});
      lines.push(line);
      svg.appendChild(line);
    });
    data.nodes.forEach(function (n, i) {
      var g = svgEl("g", {"class": "node", "data-id": n.id, "data-kind": n.kind,
        transform: "translate(" + n.x + "," + n.y + ")", tabindex: 0});
      var circle = svgEl("circle", {r: n.kind === "study" ? 9 : 6, "class": "k-" + n.kind});
      var title = svgEl("title", {});
      title.textContent = NAMES[n.kind] + ": " + n.title;
      circle.appendChild(title);
      var label = svgEl("text", {x: 11, y: 3});
      label.textContent = short(n.label, 28);
      g.appendChild(circle);
      g.appendChild(label);
      g.addEventListener("click", function () { select(i); });
      g.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { select(i); } });
      groups.push(g);
      svg.appendChild(g);
    });
  }

  function highlight(i) {
    var near = {};
    near[i] = true;
    neighbours[i].forEach(function (j) { near[j] = true; });
    groups.forEach(function (g, j) {
      g.classList.toggle("dim", !near[j]);
      g.classList.toggle("selected", j === i);
    });
    lines.forEach(function (line, k) {
      var e = data.edges[k];
      line.classList.toggle("lit", e[0] === i || e[1] === i);
    });
  }

  function grades(study) {
    var p = el("p", {"class": "grade-line"}, "Evidence grade: ");
    if (!study.grades.length) {
      p.appendChild(el("span", {"class": "grade none"}, "not graded"));
    }
    study.grades.forEach(function (g) {
      p.appendChild(el("span", {"class": "grade"},
        "level " + g.level + (g.rule ? " (" + g.rule + ")" : "")));
    });
    return p;
  }

  function facts(list) {
    var ul = el("ul", {"class": "facts"});
    list.forEach(function (f) { ul.appendChild(el("li", {}, f[0] + ": " + f[1])); });
    return ul;
  }

  function report(r) {
    var box = el("article", {"class": "report", "data-report": r.id});
    box.appendChild(el("h3", {}, r.title || r.source));
    var meta = [r.kind, r.venue, r.year].filter(Boolean).join(" · ");
    var p = el("p", {"class": "meta"}, meta + (meta ? " · " : ""));
    if (r.url) {
      p.appendChild(el("a", {href: r.url, target: "_blank", rel: "noopener noreferrer"}, r.url));
    } else {
      p.appendChild(document.createTextNode(r.source));
    }
    box.appendChild(p);
    if (!r.quotes.length) { box.appendChild(el("p", {"class": "hint"}, "No quoted sentences.")); }
    r.quotes.forEach(function (q) {
      box.appendChild(el("blockquote", {"class": "quote"}, q.quote));
      var where = q.start >= 0 ? "characters " + q.start + "–" + q.end : "no offsets";
      box.appendChild(el("p", {"class": "where"}, where + (q.locator ? " · " + q.locator : "")));
      box.appendChild(facts(q.facts));
    });
    if (r.unquoted.length) {
      box.appendChild(el("p", {"class": "where"}, "Values without a quote:"));
      box.appendChild(facts(r.unquoted.map(function (f) {
        return [f[0], f[1] + (f[2] ? " (" + f[2] + ")" : "")];
      })));
    }
    return box;
  }

  function showStudy(i) {
    var n = data.nodes[i], study = data.studies[n.id];
    detail.replaceChildren(el("h2", {}, n.title), el("p", {"class": "meta"}, n.id), grades(study));
    var grid = el("div", {"class": "reports"});
    study.reports.forEach(function (r) { grid.appendChild(report(r)); });
    detail.appendChild(el("p", {}, study.reports.length + " report(s), side by side:"));
    detail.appendChild(grid);
  }

  function showTerm(i) {
    var n = data.nodes[i];
    detail.replaceChildren(el("h2", {}, NAMES[n.kind] + ": " + n.title),
      el("p", {"class": "meta"}, n.id));
    var ul = el("ul", {"class": "studies"});
    neighbours[i].slice().sort(function (a, b) { return a - b; }).forEach(function (j) {
      var li = el("li", {});
      var a = el("a", {tabindex: 0}, data.nodes[j].title);
      a.addEventListener("click", function () { select(j); });
      li.appendChild(a);
      ul.appendChild(li);
    });
    detail.appendChild(el("p", {}, neighbours[i].length + " stud(ies):"));
    detail.appendChild(ul);
  }

  function select(i) {
    highlight(i);
    if (data.nodes[i].kind === "study") { showStudy(i); } else { showTerm(i); }
  }

  function summary() {
    var counts = {};
    data.nodes.forEach(function (n) { counts[n.kind] = (counts[n.kind] || 0) + 1; });
    var legend = document.getElementById("legend");
    data.kinds.forEach(function (k) {
      legend.appendChild(el("li", {"class": "k-" + k}, NAMES[k] + " (" + (counts[k] || 0) + ")"));
    });
    document.getElementById("summary").textContent = data.nodes.length + " nodes, " +
      data.edges.length + " links between studies and the terms their reports name.";
  }

  draw();
  summary();
}());
