// Taking a test (assessment/attempt.html). Every answer is saved through the HTTP API as it is
// given (PUT /api/v1/attempts/{id}/answers/{question}, with the session and its CSRF token); each
// question says whether its answer is saved; the countdown runs on the server's clock; the
// question in view is reported (POST /api/v1/attempts/{id}/viewed); Submit asks first. In
// training mode the feedback under an answer is the page's own (assessment/_feedback.html),
// fetched once the answer is saved. The server decides everything: this only reads the inputs.
(function () {
  "use strict";

  var root = document.getElementById("attempt");
  if (!root) return;
  var data = root.dataset;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var training = data.training === "1";
  var sections = Array.prototype.slice.call(root.querySelectorAll("[data-question]"));
  var announcer = root.querySelector("[data-announce]");
  var submitForm = root.querySelector("[data-submit-form]");
  var dialog = root.querySelector("[data-submit-dialog]");
  var closing = false;
  var saves = {};  // question id -> {timer, busy, again, failed}

  // The bar with the countdown sticks under the site's header, whatever its height (its menu
  // folds on a phone).
  var header = document.querySelector(".topbar");
  function underHeader() {
    var height = header && getComputedStyle(header).position === "sticky" ? header.offsetHeight : 0;
    document.documentElement.style.setProperty("--attempt-top", height + "px");
  }
  underHeader();
  if (header && "ResizeObserver" in window) new ResizeObserver(underHeader).observe(header);

  function all(scope, selector) {
    return Array.prototype.slice.call(scope.querySelectorAll(selector));
  }

  function address(template, question) {
    return template.replace("QUESTION", encodeURIComponent(question));
  }

  function request(method, url, body, keepalive) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  }

  // --- the response of a question, read from its inputs (its shape: docs/api.md) -------------

  function responseOf(section) {
    var type = section.dataset.type;
    var input = section.querySelector("[data-answer]");
    var checked = all(section, "[data-answer]:checked").map(function (box) { return box.value; });
    if (type === "single") return { option: checked[0] || null };
    if (type === "multiple") return { options: checked };
    if (type === "true_false") return { value: checked.length ? checked[0] === "true" : null };
    if (type === "short_text") return { text: input.value };
    if (type === "numeric") return { value: input.value.trim() || null };
    if (type === "open") {
      var files = (section.dataset.files || "").split(" ").filter(Boolean).map(Number);
      return { text: input.value, files: files };
    }
    if (type === "matching") {
      var pairs = {};
      all(section, "select[data-left]").forEach(function (select) {
        if (select.value) pairs[select.dataset.left] = select.value;
      });
      return { pairs: pairs };
    }
    if (type === "ordering") {
      return { order: all(section, "[data-item]").map(function (item) { return item.dataset.item; }) };
    }
    if (type === "blanks") {
      var gaps = {};
      all(section, "[data-gap]").forEach(function (gap) {
        if (gap.value.trim()) gaps[gap.dataset.gap] = gap.value;
      });
      return { gaps: gaps };
    }
    return {};
  }

  // --- what each question says about its answer ---------------------------------------------

  function say(section, text, kind) {
    var status = section.querySelector("[data-status]");
    if (!status) return;
    status.textContent = "";
    var span = document.createElement("span");
    span.className = kind ? "is-" + kind : "";
    span.textContent = text;
    status.appendChild(span);
    if (kind === "failed") {
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button button-secondary button-small";
      retry.textContent = data.msgRetry;
      retry.addEventListener("click", function () { save(section); });
      status.appendChild(document.createTextNode(" "));
      status.appendChild(retry);
    }
  }

  function countAnswered() {
    var answered = sections.filter(function (section) { return section.dataset.answered === "1"; }).length;
    all(root, "[data-count-answered]").forEach(function (counter) { counter.textContent = String(answered); });
    return answered;
  }

  function markAnswered(section) {
    section.dataset.answered = "1";
    var link = root.querySelector('[data-nav="' + section.dataset.question + '"]');
    if (link) {
      link.classList.add("is-answered");
      link.querySelector("[data-nav-state]").textContent = " — " + data.msgAnswered;
    }
    countAnswered();
  }

  function showFeedback(section) {
    var box = section.querySelector("[data-feedback]");
    fetch(address(data.feedbackUrl, section.dataset.question), { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : ""; })
      .then(function (html) {
        if (!html) return;
        box.innerHTML = html;
        if (window.partaMath) window.partaMath(box);
      })
      .catch(function () { /* the feedback is also on the page when it is opened again */ });
  }

  function refused(detail) {
    // Submitted meanwhile, or time is up: the page as it is now says which.
    closing = true;
    sections.forEach(function (section) { say(section, detail, "failed-final"); });
    window.setTimeout(function () { window.location.reload(); }, 1500);
  }

  // --- saving ---------------------------------------------------------------------------------

  function entry(section) {
    var id = section.dataset.question;
    return saves[id] || (saves[id] = { timer: null, busy: null, again: false, failed: false, sent: null });
  }

  function schedule(section, delay) {
    if (closing) return;
    var state = entry(section);
    window.clearTimeout(state.timer);
    say(section, data.msgSaving, "saving");
    state.timer = window.setTimeout(function () { save(section); }, delay);
  }

  function save(section, keepalive) {
    var state = entry(section);
    window.clearTimeout(state.timer);
    state.timer = null;
    if (state.busy) {
      state.again = true;
      return state.busy;
    }
    var url = address(data.answerUrl, section.dataset.question);
    var response = responseOf(section);
    var sent = JSON.stringify(response);
    if (sent === state.sent && !state.failed) {
      // Saved already (a text's "change" after its typing was saved): nothing new to send.
      say(section, "✓ " + data.msgSaved, "saved");
      return Promise.resolve();
    }
    say(section, data.msgSaving, "saving");
    state.busy = request("PUT", url, { response: response }, keepalive)
      .then(function (answer) {
        return answer.json().catch(function () { return {}; }).then(function (body) {
          if (answer.ok) {
            state.failed = false;
            state.sent = sent;
            say(section, "✓ " + data.msgSaved, "saved");
            markAnswered(section);
            if (training) showFeedback(section);
          } else if (answer.status === 409) {
            refused(body.detail || data.msgFailed);
          } else {
            var errors = (body.errors && (body.errors.response || body.errors.question)) || [];
            state.failed = true;
            say(section, data.msgFailed + " " + (errors[0] || body.detail || ""), "failed");
          }
        });
      }, function () {
        state.failed = true;
        say(section, data.msgOffline, "failed");
      })
      .then(function () {
        state.busy = null;
        if (state.again) {
          state.again = false;
          return save(section);
        }
        return null;
      });
    return state.busy;
  }

  function flush(keepalive) {
    return Promise.all(sections.map(function (section) {
      var state = saves[section.dataset.question];
      if (!state) return null;
      if (state.timer || state.failed) return save(section, keepalive);
      return state.busy;
    }));
  }

  window.addEventListener("online", function () {
    sections.forEach(function (section) {
      var state = saves[section.dataset.question];
      if (state && state.failed) save(section);
    });
  });
  // Closing the tab or switching away sends what is still waiting (the request outlives the page).
  window.addEventListener("pagehide", function () { flush(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush(true);
  });

  // --- answering --------------------------------------------------------------------------------

  sections.forEach(function (section) {
    section.addEventListener("change", function (event) {
      if (event.target.matches("[data-file-input]")) upload(section, event.target);
      else if (event.target.matches("input, select, textarea")) schedule(section, 0);
    });
    section.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-file]");
      if (remove) detach(section, remove.closest("[data-file]"));
    });
    section.addEventListener("input", function (event) {
      if (event.target.matches("input[type=text], textarea")) schedule(section, 1000);
    });
    section.addEventListener("focusin", function () { viewed(section.dataset.question); });
    if (section.dataset.type === "ordering") ordering(section);
  });

  // --- files of an open answer: uploaded one by one, then named in the answer -------------------

  function setFiles(section, ids) {
    section.dataset.files = ids.join(" ");
    schedule(section, 0);
  }

  function fileIds(section) {
    return (section.dataset.files || "").split(" ").filter(Boolean);
  }

  function upload(section, input) {
    var list = section.querySelector("[data-file-list]");
    Array.prototype.slice.call(input.files).forEach(function (file) {
      var body = new FormData();
      body.append("file", file);
      say(section, data.msgUploading, "saving");
      fetch(address(data.filesUrl, section.dataset.question), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf },
        body: body,
      })
        .then(function (answer) {
          return answer.json().catch(function () { return {}; }).then(function (reply) {
            if (!answer.ok) {
              var errors = reply.errors || {};
              var first = Object.keys(errors).map(function (key) { return errors[key][0]; })[0];
              say(section, first || reply.detail || data.msgFailed, "failed-final");
              return;
            }
            var item = document.createElement("li");
            item.dataset.file = String(reply.id);
            var link = document.createElement("a");
            link.href = reply.url;
            link.download = "";
            link.textContent = reply.name;
            var remove = document.createElement("button");
            remove.type = "button";
            remove.className = "button button-secondary button-small";
            remove.dataset.removeFile = "";
            remove.textContent = data.msgRemove;
            item.append(link, " ", remove);
            list.append(item);
            setFiles(section, fileIds(section).concat([String(reply.id)]));
          });
        }, function () { say(section, data.msgOffline, "failed-final"); });
    });
    input.value = "";
  }

  function detach(section, item) {
    var id = item.dataset.file;
    item.remove();
    setFiles(section, fileIds(section).filter(function (other) { return other !== id; }));
  }

  function ordering(section) {
    var list = section.querySelector("[data-order]");
    var keep = section.querySelector("[data-keep-order]");
    var dragged = null;

    function settle() {
      if (keep) {
        keep.parentNode.remove();
        keep = null;
      }
      schedule(section, 0);
    }

    function moved(item) {
      var items = all(list, "[data-item]");
      if (announcer) {
        announcer.textContent = data.msgMoved
          .replace("{place}", String(items.indexOf(item) + 1))
          .replace("{total}", String(items.length));
      }
      settle();
    }

    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button) return;
      var item = button.closest("[data-item]");
      var step = Number(button.dataset.move);
      var other = step < 0 ? item.previousElementSibling : item.nextElementSibling;
      if (!other) return;
      list.insertBefore(item, step < 0 ? other : other.nextElementSibling);
      button.focus();
      moved(item);
    });
    if (keep) keep.addEventListener("click", settle);

    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-item]");
      if (!dragged) return;
      dragged.classList.add("is-dragged");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.item);
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("[data-item]");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextElementSibling : over);
    });
    list.addEventListener("drop", function (event) { event.preventDefault(); });
    list.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("is-dragged");
      moved(dragged);
      dragged = null;
    });
  }

  // --- the question in view -----------------------------------------------------------------------

  var lastViewed = null;
  var viewTimer = null;

  function viewed(question) {
    if (closing || question === lastViewed) return;
    window.clearTimeout(viewTimer);
    viewTimer = window.setTimeout(function () {
      if (question === lastViewed) return;
      lastViewed = question;
      request("POST", data.viewedUrl, { question: question })
        .then(function (answer) {
          if (answer.status === 409) {
            return answer.json().then(function (body) { refused(body.detail || ""); });
          }
          return null;
        })
        .catch(function () { /* not worth a message: the next question shown is sent again */ });
    }, 700);
  }

  if ("IntersectionObserver" in window) {
    // The question crossing the middle of the screen is the one being read.
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (seen) {
        if (seen.isIntersecting) viewed(seen.target.dataset.question);
      });
    }, { rootMargin: "-45% 0px -45% 0px" });
    sections.forEach(function (section) { observer.observe(section); });
  }
  if (sections.length) viewed(sections[0].dataset.question);

  // --- the countdown, on the server's clock ------------------------------------------------------

  var timer = root.querySelector("[data-timer]");
  if (timer && data.deadline) {
    var offset = Date.parse(data.now) - Date.now();
    var deadline = Date.parse(data.deadline);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var tick = function () {
      var left = deadline - (Date.now() + offset);
      if (left <= 0) {
        timer.textContent = "0:00";
        timeUp();
        return;
      }
      var seconds = Math.ceil(left / 1000);
      var hours = Math.floor(seconds / 3600);
      var minutes = Math.floor((seconds % 3600) / 60);
      timer.textContent = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds % 60);
      timer.parentNode.classList.toggle("is-ending", left < 60000);
      window.setTimeout(tick, (left % 1000) || 1000);
    };
    tick();
  }

  function timeUp() {
    if (closing) return;
    closing = true;
    var bar = root.querySelector(".attempt-bar");
    if (bar) bar.classList.add("is-ending");
    if (announcer) announcer.textContent = data.msgTimeUp;
    if (timer) timer.parentNode.textContent = data.msgTimeUp;
    // The server ends the attempt at its deadline as it stood; submitting shows the result.
    if (submitForm) submitForm.submit();
  }

  // --- submitting -----------------------------------------------------------------------------

  function openSubmit(event) {
    if (event) event.preventDefault();
    countAnswered();
    if (dialog && dialog.showModal) dialog.showModal();
    else if (window.confirm(document.getElementById("submit-title").textContent)) submitNow();
  }

  function submitNow() {
    closing = true;
    all(root, "[data-confirm-submit], [data-open-submit]").forEach(function (button) { button.disabled = true; });
    flush().then(function () { submitForm.submit(); });
  }

  if (submitForm) submitForm.addEventListener("submit", openSubmit);
  all(root, "[data-open-submit]").forEach(function (button) { button.addEventListener("click", openSubmit); });
  if (dialog) {
    dialog.querySelector("[data-confirm-submit]").addEventListener("click", submitNow);
    dialog.querySelector("[data-cancel-submit]").addEventListener("click", function () { dialog.close(); });
  }
})();
