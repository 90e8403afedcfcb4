/* The journal grid's keyboard entry (Parta). No build step, no dependencies.
 *
 * Every cell is a link to its own page (the grid works without this script). With it:
 *   arrows / Tab move between cells; typing a mark of the scale puts it with the toolbar's
 *   control form and weight; н/n absent, б/s sick, о/l late, у/e excused, space present;
 *   Backspace/Delete removes the cell's last mark (or else its attendance entry);
 *   Enter opens the cell's detail in a dialog.
 * Each change is posted at once (as htmx would: the HX-Request header) and the server answers
 * with the re-rendered cell and the student's average (hx-swap-oob), which replace theirs by id.
 * Writes go one after another, so that a quick Backspace acts on the mark just saved.
 */
(function () {
  "use strict";

  /* The lesson page: narrow the long list of the subject's other topics as one types. */
  var filter = document.getElementById("other-topic-filter");
  var topics = document.getElementById("other-topic");
  if (filter && topics) {
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(topics.options, function (option) {
        if (!option.value) return;
        var text = option.textContent.toLowerCase();
        option.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
  }

  var root = document.getElementById("journal");
  if (!root) return;

  /* The final columns stick to the right edge: each one's offset is the width of those after it. */
  function pinFinals() {
    var grid = root.querySelector(".journal-grid");
    var heads = root.querySelectorAll("thead .jfinal");
    var right = 0;
    for (var i = heads.length - 1; i >= 0; i--) {
      grid.style.setProperty("--pin-" + (heads.length - i), right + "px");
      right += heads[i].getBoundingClientRect().width;
    }
  }
  pinFinals();
  window.addEventListener("resize", pinFinals);
  var writable = root.dataset.writable === "1";
  var closed = root.dataset.closed === "1";
  var yearClosed = root.dataset.yearClosed === "1";
  var values = (root.dataset.values || "").split(" ").filter(Boolean);
  var status = document.getElementById("journal-status");
  var formSelect = document.getElementById("journal-form");
  var weightSelect = document.getElementById("journal-weight");
  var reasonInput = document.getElementById("journal-reason");
  var dialog = document.getElementById("journal-dialog");
  var dialogBody = document.getElementById("journal-dialog-body");
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value ||
    (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  var queue = Promise.resolve();
  var buffer = "";
  var bufferTimer = null;

  var ATTENDANCE = {
    "н": "absent", "n": "absent", "a": "absent",
    "б": "sick", "s": "sick",
    "о": "late", "l": "late",
    "у": "excused", "e": "excused",
    " ": ""
  };

  function say(text, failed) {
    if (!status) return;
    status.textContent = text || "";
    status.classList.toggle("is-failed", !!failed);
  }

  function cells() { return Array.prototype.slice.call(root.querySelectorAll("td.jcell")); }

  function position(td) {
    var row = td.parentElement;
    var rowCells = Array.prototype.slice.call(row.querySelectorAll("td.jcell"));
    var rows = Array.prototype.slice.call(root.querySelectorAll("tbody tr"));
    return { row: rows.indexOf(row), col: rowCells.indexOf(td), rows: rows };
  }

  function cellAt(rows, r, c) {
    if (r < 0 || r >= rows.length) return null;
    var rowCells = rows[r].querySelectorAll("td.jcell");
    if (!rowCells.length) return null;
    return rowCells[Math.max(0, Math.min(c, rowCells.length - 1))];
  }

  function focusCell(td) {
    if (!td) return;
    var link = td.querySelector("a.jcell-link");
    if (link) link.focus();
  }

  function move(td, dr, dc) {
    var p = position(td);
    focusCell(cellAt(p.rows, p.row + dr, p.col + dc));
  }

  function reason(locked) {
    var text = reasonInput ? reasonInput.value.trim() : "";
    if ((locked === undefined ? closed : locked) && !text) {
      text = (window.prompt(root.dataset.reasonPrompt || "Reason for the change:") || "").trim();
      if (reasonInput) reasonInput.value = text;
    }
    return text;
  }

  /* Replace elements of the page by those of the answer with the same id: the first element is
   * the target, the others carry hx-swap-oob. */
  function swap(html) {
    var template = document.createElement("template");
    template.innerHTML = "<table><tbody><tr>" + html + "</tr></tbody></table>";
    var incoming = template.content.querySelectorAll("tr > [id]");
    var first = null;
    Array.prototype.forEach.call(incoming, function (element) {
      var current = document.getElementById(element.id);
      if (!current) return;
      element.removeAttribute("hx-swap-oob");
      current.replaceWith(element);
      if (!first) first = element;
    });
    return first;
  }

  function post(url, data, td) {
    var hadFocus = td && td.contains(document.activeElement);
    var id = td ? td.id : null;
    if (td) { td.classList.add("is-saving"); td.classList.remove("is-saved", "is-failed"); }
    if (root.dataset.period) data.append("period", root.dataset.period);
    data.append("csrfmiddlewaretoken", csrf);
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.text().then(function (html) {
        if (response.status >= 500 || response.status === 403 || response.status === 404) {
          throw new Error(root.dataset.errorText || ("HTTP " + response.status));
        }
        var fresh = swap(html);
        var target = fresh || (id && document.getElementById(id));
        var error = target && target.getAttribute("data-error");
        say(error || root.dataset.savedText || "✓", !!error);
        if (hadFocus && id) focusCell(document.getElementById(id));
        return target;
      });
    }).catch(function (err) {
      var current = id && document.getElementById(id);
      if (current) {
        current.classList.remove("is-saving");
        current.classList.add("is-failed");
        current.setAttribute("data-error", String(err.message || err));
      }
      say((root.dataset.failedText || "Not saved: ") + (err.message || err), true);
    });
  }

  function enqueue(td, build) {
    var id = td.id;
    queue = queue.then(function () {
      var current = document.getElementById(id);
      if (!current) return null;
      var link = current.querySelector("a.jcell-link");
      var data = build(current);
      if (!data) return null;
      return post(link.dataset.url, data, current);
    });
  }

  function putMark(td, value) {
    var why = reason();
    enqueue(td, function () {
      var data = new FormData();
      data.append("op", "add");
      data.append("value", value);
      if (formSelect && formSelect.value) data.append("control_form", formSelect.value);
      if (weightSelect && weightSelect.value) data.append("weight", weightSelect.value);
      if (why) data.append("reason", why);
      return data;
    });
  }

  function putAttendance(td, state) {
    var why = reason();
    enqueue(td, function (current) {
      if ((current.dataset.att || "") === state) return null;
      var data = new FormData();
      data.append("op", "attendance");
      data.append("status", state);
      data.append("version", current.dataset.attVersion || "");
      if (why) data.append("reason", why);
      return data;
    });
  }

  function removeLast(td) {
    var why = reason();
    enqueue(td, function (current) {
      var data = new FormData();
      if (current.dataset.lastMark) {
        data.append("op", "delete");
        data.append("mark", current.dataset.lastMark);
        data.append("version", current.dataset.lastVersion);
      } else if (current.dataset.att) {
        data.append("op", "attendance");
        data.append("status", "");
        data.append("version", current.dataset.attVersion || "");
      } else {
        return null;
      }
      if (why) data.append("reason", why);
      return data;
    });
  }

  /* Digits build a value; it is sent as soon as no longer value of the scale could follow
   * (at once on a 5-point scale), else after a short pause. */
  function typeDigit(td, digit) {
    buffer += digit;
    clearTimeout(bufferTimer);
    var longer = values.some(function (v) { return v.length > buffer.length && v.indexOf(buffer) === 0; });
    if (!longer) {
      var value = buffer;
      buffer = "";
      putMark(td, value);
      return;
    }
    say(buffer + "…");
    bufferTimer = setTimeout(function () {
      var value = buffer;
      buffer = "";
      if (value) putMark(td, value);
    }, 700);
  }

  function openDetail(td) {
    var link = td.querySelector("a.jcell-link");
    if (!dialog || typeof dialog.showModal !== "function") {
      window.location.href = link.href;
      return;
    }
    fetch(link.href, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) {
        dialogBody.innerHTML = html;
        dialog.dataset.cell = td.id;
        dialog.showModal();
      })
      .catch(function () { window.location.href = link.href; });
  }

  if (dialog) {
    dialog.addEventListener("close", function () { focusCell(document.getElementById(dialog.dataset.cell)); });
  }

  root.addEventListener("keydown", function (event) {
    var link = event.target.closest && event.target.closest("a.jcell-link");
    if (!link || event.ctrlKey || event.metaKey || event.altKey) return;
    var td = link.parentElement;
    var key = event.key;
    switch (key) {
      case "ArrowUp": event.preventDefault(); move(td, -1, 0); return;
      case "ArrowDown": event.preventDefault(); move(td, 1, 0); return;
      case "ArrowLeft": event.preventDefault(); move(td, 0, -1); return;
      case "ArrowRight": event.preventDefault(); move(td, 0, 1); return;
      case "Enter": event.preventDefault(); openDetail(td); return;
      default: break;
    }
    if (!writable) return;
    if (td.classList.contains("is-cancelled")) { say(root.dataset.cancelledText || "", true); return; }
    if (td.classList.contains("is-future")) { say(root.dataset.futureText || "", true); return; }
    if (key === "Backspace" || key === "Delete") { event.preventDefault(); removeLast(td); return; }
    if (/^[0-9]$/.test(key)) {
      event.preventDefault();
      typeDigit(td, key);
      return;
    }
    var lower = key.toLowerCase();
    if (Object.prototype.hasOwnProperty.call(ATTENDANCE, lower)) {
      event.preventDefault();
      putAttendance(td, ATTENDANCE[lower]);
    }
  });

  /* A click on a cell with the script opens its detail instead of leaving the grid. */
  root.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.jcell-link");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    openDetail(link.parentElement);
  });

  /* The period mark column: a choice is saved at once. */
  root.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select.jpm-select");
    if (!select) return;
    var form = select.form;
    var td = form.closest("td");
    // The year mark is locked by closing the year, not by closing a study period.
    var why = reason(form.querySelector("input[name=target][value=year]") ? yearClosed : closed);
    queue = queue.then(function () {
      var data = new FormData(form);
      data.delete("csrfmiddlewaretoken");
      data.delete("period");
      if (why) data.set("reason", why);
      return post(form.action, data, td);
    });
  });

  if (formSelect && weightSelect) {
    formSelect.addEventListener("change", function () { weightSelect.value = ""; });
  }
  /* Open on today's lessons: scroll the grid so that the last lesson up to today is in view. */
  var wrap = root.querySelector(".journal-wrap");
  var today = root.dataset.today || "";
  var heads = Array.prototype.slice.call(root.querySelectorAll("th.jdate[data-date]"));
  var past = heads.filter(function (th) { return th.dataset.date <= today; });
  if (wrap && past.length) {
    var last = past[past.length - 1];
    wrap.scrollLeft = Math.max(0, last.offsetLeft + last.offsetWidth - wrap.clientWidth + 3 * last.offsetWidth);
  }
  if (writable && cells().length) say(root.dataset.readyText || "");
})();
