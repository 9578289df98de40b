/// `plot.js`: hand-written, no library and nothing from a CDN. Every page reads without it; with it:
///
/// - plots get a tooltip (commit, subject, date, median, spread, samples) on hover, and with the
///   arrow keys once focused (Home and End for the ends, Page Up and Down by ten); a click or
///   Enter opens the commit; dragging across zooms into those commits, a double-click or "all
///   commits" zooms out; check boxes show or hide the spread, the median line and the change marks;
/// - the index's table of benchmarks gets a filter box and sortable columns (buttons in the
///   headers, with `aria-sort`);
/// - with `#selftest` in the address, the page checks itself (window errors, overlapping tick
///   labels, a synthetic hover showing the tooltip) and writes the verdict as JSON into
///   `<pre id="benchbot-selftest">` (no element is named by the fragment, so the page does not scroll), for the screenshot test to read from `chromium --dump-dom`.
///
/// The controls are made here, so a reader without JavaScript sees none that do nothing.
enum SiteScript {
    static let text = #"""
        "use strict";
        var benchbotErrors = [];
        window.addEventListener("error", function (event) { benchbotErrors.push(String(event.message)); });
        function benchbotElement(name, attributes) {
          var element = document.createElementNS("http://www.w3.org/2000/svg", name);
          Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
          return element;
        }
        document.querySelectorAll("svg.plot[data-tips]").forEach(function (svg) {
          var data = JSON.parse(svg.dataset.tips), tips = data.points;
          var circles = svg.querySelectorAll(".data circle"), marks = svg.querySelectorAll(".data line.change");
          var movable = svg.querySelectorAll(".data text.change, .ticks.x text, .ticks.x tspan");
          var paths = svg.querySelectorAll(".data polyline, .data polygon");
          var left = +(svg.dataset.left || 0), right = +(svg.dataset.right || 0), view = [left, right];
          var originals = Array.prototype.map.call(paths, function (p) {
            return p.getAttribute("points").split(" ").map(function (pair) { return pair.split(",").map(Number); });
          });
          var cx = Array.prototype.map.call(circles, function (c) { return +c.getAttribute("cx"); });
          var mx = Array.prototype.map.call(marks, function (m) { return +m.getAttribute("x1"); });
          var tx = Array.prototype.map.call(movable, function (t) { return +t.getAttribute("x"); });
          var figure = svg.parentNode, tip = document.createElement("div"), current = -1;
          tip.className = "tip"; tip.hidden = true; tip.setAttribute("role", "status");
          figure.appendChild(tip);
          var ring = benchbotElement("circle", { "class": "focus", r: 7, fill: "none", stroke: "currentColor", "stroke-width": 2, visibility: "hidden" });
          svg.appendChild(ring);
          function place(x) { return right > left ? left + (x - view[0]) * (right - left) / (view[1] - view[0]) : x; }
          function draw() {
            paths.forEach(function (p, i) {
              p.setAttribute("points", originals[i].map(function (xy) { return place(xy[0]).toFixed(1) + "," + xy[1]; }).join(" "));
            });
            circles.forEach(function (c, i) { c.setAttribute("cx", place(cx[i]).toFixed(1)); });
            marks.forEach(function (m, i) { m.setAttribute("x1", place(mx[i]).toFixed(1)); m.setAttribute("x2", place(mx[i]).toFixed(1)); });
            movable.forEach(function (t, i) { t.setAttribute("x", place(tx[i]).toFixed(1)); });
            thin();
            if (current >= 0) show(current);
          }
          // The x ticks were thinned for the plot's own font size; where the page enlarges it (a
          // phone), those that would now meet the one before are hidden, by their measured boxes.
          var ticks = svg.querySelectorAll(".ticks.x > text");
          function thin() {
            var end = -Infinity;
            ticks.forEach(function (t) {
              var x = +t.getAttribute("x");
              if (right > left && (x < left - 1 || x > right + 1)) { t.style.display = "none"; return; }
              t.style.display = "";
              var box = t.getBBox();
              if (box.x < end + 4) { t.style.display = "none"; return; }
              end = box.x + box.width;
            });
          }
          thin();
          if (window.matchMedia) window.matchMedia("(max-width: 40rem)").addEventListener("change", thin);
          function link(i) {
            var l = tips[i][7];
            return l === 1 ? data.prefix + tips[i][1] + ".html" : (l === 0 ? null : l);
          }
          function line(text) { var div = document.createElement("div"); div.textContent = text; return div; }
          function show(i) {
            current = i;
            var t = tips[i], circle = circles[i];
            tip.textContent = "";
            var head = document.createElement("strong");
            head.textContent = t[1].length === 40 ? t[1].slice(0, 10) : t[1];
            var first = line(" " + t[2]); first.insertBefore(head, first.firstChild);
            tip.appendChild(first);
            if (t[3]) tip.appendChild(line(t[3]));
            var values = "median " + t[4];
            if (t[5]) values += " · spread " + t[5];
            if (t[6] !== null) values += " · " + t[6] + (t[6] === 1 ? " sample" : " samples");
            tip.appendChild(line(values));
            if (link(i)) tip.appendChild(line("click or press Enter to open this commit"));
            tip.hidden = false;
            ring.setAttribute("cx", circle.getAttribute("cx")); ring.setAttribute("cy", circle.getAttribute("cy"));
            ring.setAttribute("visibility", "visible");
            var box = circle.getBoundingClientRect(), frame = figure.getBoundingClientRect();
            var x = box.left + box.width / 2 - frame.left, y = box.top - frame.top;
            var width = tip.offsetWidth;
            tip.style.left = Math.max(0, Math.min(frame.width - width, x - width / 2)) + "px";
            tip.style.top = Math.max(0, y - tip.offsetHeight - 10) + "px";
          }
          function hide() { current = -1; tip.hidden = true; ring.setAttribute("visibility", "hidden"); }
          function local(event) {
            var point = svg.createSVGPoint(); point.x = event.clientX; point.y = event.clientY;
            return point.matrixTransform(svg.getScreenCTM().inverse()).x;
          }
          function nearest(x) {
            var best = -1, distance = Infinity;
            for (var i = 0; i < circles.length; i++) {
              var d = Math.abs(place(cx[i]) - x);
              if (d < distance) { distance = d; best = i; }
            }
            return best;
          }
          var start = null, band = benchbotElement("rect", { "class": "selection", y: svg.dataset.top || 0, height: svg.dataset.height || 0,
            width: 0, fill: "currentColor", "fill-opacity": 0.15 });
          svg.appendChild(band);
          svg.addEventListener("pointermove", function (event) {
            var x = local(event);
            if (start !== null) { band.setAttribute("x", Math.min(start, x)); band.setAttribute("width", Math.abs(x - start)); return; }
            var i = nearest(x);
            if (i >= 0 && i !== current) show(i);
          });
          svg.addEventListener("pointerleave", function () { if (document.activeElement !== svg) hide(); });
          if (right > left) {
            svg.addEventListener("pointerdown", function (event) { start = local(event); band.setAttribute("x", start); band.setAttribute("width", 0); });
            svg.addEventListener("pointerup", function (event) {
              var end = local(event); band.setAttribute("width", 0);
              if (start !== null && Math.abs(end - start) > 8) {
                var a = view[0] + (Math.min(start, end) - left) * (view[1] - view[0]) / (right - left);
                var b = view[0] + (Math.max(start, end) - left) * (view[1] - view[0]) / (right - left);
                view = [a, b]; draw();
              } else if (start !== null && current >= 0 && link(current)) {
                window.location.href = link(current);
              }
              start = null;
            });
          }
          svg.addEventListener("focus", function () { if (current < 0 && circles.length) show(circles.length - 1); });
          svg.addEventListener("blur", hide);
          svg.addEventListener("keydown", function (event) {
            var i = current < 0 ? circles.length - 1 : current, last = circles.length - 1;
            var moves = { ArrowLeft: i - 1, ArrowRight: i + 1, ArrowDown: i - 1, ArrowUp: i + 1, PageDown: i - 10, PageUp: i + 10, Home: 0, End: last };
            if (event.key in moves) { show(Math.max(0, Math.min(last, moves[event.key]))); event.preventDefault(); }
            else if (event.key === "Enter" && current >= 0 && link(current)) { window.location.href = link(current); }
            else if (event.key === "Escape") { hide(); }
          });
          function reset() { view = [left, right]; draw(); }
          svg.addEventListener("dblclick", reset);
          var controls = document.createElement("div");
          controls.className = "controls";
          if (right > left) {
            var button = document.createElement("button");
            button.type = "button"; button.textContent = "all commits"; button.addEventListener("click", reset);
            controls.appendChild(button);
          }
          [["spread", "spread"], ["median", "median line"], ["change", "change marks"]].forEach(function (series) {
            var label = document.createElement("label"), box = document.createElement("input");
            box.type = "checkbox"; box.checked = true;
            box.addEventListener("change", function () {
              svg.querySelectorAll("." + series[0]).forEach(function (shape) { shape.style.display = box.checked ? "" : "none"; });
            });
            label.appendChild(box); label.appendChild(document.createTextNode(" " + series[1]));
            controls.appendChild(label);
          });
          figure.insertBefore(controls, svg);
          svg.benchbotShow = show;
        });
        document.querySelectorAll("table.sortable").forEach(function (table) {
          var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
          var filter = document.createElement("input"), count = document.createElement("span");
          filter.type = "search"; filter.placeholder = "filter benchmarks"; filter.setAttribute("aria-label", "filter benchmarks by name");
          count.setAttribute("aria-live", "polite");
          var bar = document.createElement("div");
          bar.className = "controls filter"; bar.appendChild(filter); bar.appendChild(count);
          table.parentNode.insertBefore(bar, table);
          function apply() {
            var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
            rows.forEach(function (row) {
              var name = row.cells[0].textContent.toLowerCase();
              row.hidden = !words.every(function (word) { return name.indexOf(word) >= 0; });
              if (!row.hidden) shown++;
            });
            count.textContent = words.length ? shown + " of " + rows.length : rows.length + " benchmarks";
          }
          filter.addEventListener("input", apply);
          apply();
          var heads = table.tHead.rows[0].cells;
          Array.prototype.forEach.call(heads, function (th, column) {
            if (!th.dataset.sort) return;
            var button = document.createElement("button");
            button.type = "button"; button.textContent = th.textContent; th.textContent = ""; th.appendChild(button);
            th.setAttribute("aria-sort", "none");
            button.addEventListener("click", function () {
              var ascending = th.getAttribute("aria-sort") !== "ascending", numeric = th.dataset.sort === "number";
              Array.prototype.forEach.call(heads, function (other) { if (other.dataset.sort) other.setAttribute("aria-sort", "none"); });
              th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
              function key(row) {
                var cell = row.cells[column], value = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent;
                return numeric ? (value === "" ? NaN : +value) : value.toLowerCase();
              }
              rows.sort(function (a, b) {
                var x = key(a), y = key(b);
                // Empty cells last, whichever the direction.
                if (numeric && isNaN(x) !== isNaN(y)) return isNaN(x) ? 1 : -1;
                var order = x < y ? -1 : x > y ? 1 : 0;
                return ascending ? order : -order;
              });
              rows.forEach(function (row) { body.appendChild(row); });
            });
          });
        });
        if (window.location.hash === "#selftest") {
          var verdict = { errors: benchbotErrors, plots: 0, hovered: 0, overlaps: [], filter: !!document.querySelector("input[type=search]"),
            interactive: performance.now() };
          function overlapping(nodes, where) {
            var boxes = Array.prototype.filter.call(nodes, function (n) { return n.style.display !== "none"; }).map(function (n) { return n.getBBox(); });
            for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
              var a = boxes[i], b = boxes[j];
              if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) verdict.overlaps.push(where + " " + i + "/" + j);
            }
          }
          document.querySelectorAll("svg.plot").forEach(function (svg, n) {
            verdict.plots++;
            overlapping(svg.querySelectorAll(".ticks.x > text"), "plot " + n + " x ticks");
            overlapping(svg.querySelectorAll(".ticks.y > text"), "plot " + n + " y ticks");
            var circles = svg.querySelectorAll(".data circle");
            if (!circles.length) return;
            var circle = circles[Math.floor(circles.length / 2)], box = circle.getBoundingClientRect();
            svg.dispatchEvent(new PointerEvent("pointermove", { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2, bubbles: true }));
            var tip = svg.parentNode.querySelector(".tip");
            if (tip && !tip.hidden && /median/.test(tip.textContent)) verdict.hovered++;
          });
          // The index: a filter that keeps only the rows whose name has the word, and a header
          // button that sorts its column and says so.
          var table = document.querySelector("table.sortable");
          if (table) {
            var search = document.querySelector("input[type=search]"), rows = Array.prototype.slice.call(table.tBodies[0].rows);
            var word = rows.length ? rows[rows.length - 1].cells[0].textContent.trim() : "";
            search.value = word; search.dispatchEvent(new Event("input"));
            var shown = rows.filter(function (row) { return !row.hidden; });
            verdict.filtered = shown.length >= 1 && shown.every(function (row) { return row.cells[0].textContent.indexOf(word) >= 0; });
            search.value = ""; search.dispatchEvent(new Event("input"));
            var head = table.tHead.rows[0].cells[1], button = head.querySelector("button");
            if (button) button.click();
            var values = Array.prototype.map.call(table.tBodies[0].rows, function (row) { return +row.cells[1].dataset.value; });
            verdict.sorted = !!button && head.getAttribute("aria-sort") === "ascending"
              && values.every(function (value, i) { return i === 0 || values[i - 1] <= value; });
          }
          var out = document.createElement("pre");
          out.id = "benchbot-selftest"; out.textContent = JSON.stringify(verdict);
          document.body.appendChild(out);
        }

        """#
}
