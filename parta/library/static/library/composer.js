// The scenario and textbook constructor. The lists in the page are the state: every change
// writes them as JSON into the form's hidden "content" field, which the server saves as a version.
// Items move by drag and drop, by the arrow buttons, and by Alt+ArrowUp/Down on the handle; each
// move is announced to screen readers.
(function () {
  "use strict";

  function init(root) {
    var kind = root.dataset.kind;
    var content = root.querySelector("[data-content]");
    var announcer = root.querySelector("[data-announce]");
    var texts = root.querySelector("[data-messages]").dataset;
    var panel = root.querySelector("[data-add-panel]");
    var targetLabel = root.querySelector("[data-target-label]");
    var rootList = root.querySelector(".composer-root");
    var target = null;

    root.querySelector("[data-composer-js]").value = "1";
    root.querySelectorAll("[data-no-js]").forEach(function (el) { el.remove(); });
    panel.hidden = false;
    root.querySelector('[data-action="preview"]').hidden = false;

    function format(template, values) {
      return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
    }

    function say(message) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = message; }, 30);
    }

    function labelOf(item) {
      var label = item.querySelector(":scope > .composer-label [data-label], :scope > .composer-row [data-title]");
      if (!label) return "";
      return (label.value !== undefined ? label.value : label.textContent).trim() || texts.untitled;
    }

    function blocksOf(list) {
      return Array.prototype.map.call(list.querySelectorAll(":scope > [data-item=block]"), function (li) {
        return JSON.parse(li.dataset.block);
      });
    }

    function serialise() {
      var value;
      if (kind === "textbook") {
        value = {
          chapters: Array.prototype.map.call(rootList.querySelectorAll(":scope > [data-item=chapter]"), function (chapter) {
            return {
              title: chapter.querySelector("[data-title]").value,
              sections: Array.prototype.map.call(chapter.querySelectorAll("[data-item=section]"), function (section) {
                return {
                  title: section.querySelector("[data-title]").value,
                  blocks: blocksOf(section.querySelector("[data-list=blocks]")),
                };
              }),
            };
          }),
        };
      } else {
        value = { blocks: blocksOf(rootList) };
      }
      content.value = JSON.stringify(value);
    }

    function fromTemplate(name) {
      var template = root.querySelector('template[data-template="' + name + '"]');
      return template.content.firstElementChild.cloneNode(true);
    }

    function whereOf(list) {
      var section = list.closest("[data-item=section]");
      if (!section) return "";
      var chapter = section.closest("[data-item=chapter]");
      return labelOf(chapter) + " / " + labelOf(section);
    }

    function setTarget(list) {
      target = list;
      root.querySelectorAll(".composer-target").forEach(function (el) { el.classList.remove("composer-target"); });
      if (kind === "textbook" && list) {
        list.closest("[data-item=section]").classList.add("composer-target");
        targetLabel.textContent = format(texts.addingTo, { where: whereOf(list) });
      }
    }

    function defaultTarget() {
      if (kind !== "textbook") return rootList;
      if (target && root.contains(target)) return target;
      var first = rootList.querySelector("[data-list=blocks]");
      if (!first) {
        addChapter();
        first = rootList.querySelector("[data-list=blocks]");
      }
      setTarget(first);
      return first;
    }

    function addBlock(block, kindLabel, label) {
      var li = fromTemplate("block");
      li.dataset.block = JSON.stringify(block);
      li.querySelector(".chip").textContent = kindLabel;
      li.querySelector("[data-label]").textContent = label;
      defaultTarget().appendChild(li);
      serialise();
      say(format(texts.added, { label: label }));
      return li;
    }

    function addSection(chapter) {
      var section = fromTemplate("section");
      chapter.querySelector("[data-list=sections]").appendChild(section);
      setTarget(section.querySelector("[data-list=blocks]"));
      serialise();
      section.querySelector("[data-title]").focus();
    }

    function addChapter() {
      var chapter = fromTemplate("chapter");
      rootList.appendChild(chapter);
      addSection(chapter);
      chapter.querySelector("[data-title]").focus();
    }

    function siblings(item) {
      return Array.prototype.filter.call(item.parentElement.children, function (el) {
        return el.dataset.item === item.dataset.item;
      });
    }

    function announceMove(item) {
      var all = siblings(item);
      say(format(texts.moved, { label: labelOf(item), position: all.indexOf(item) + 1, count: all.length }));
    }

    function move(item, step) {
      var all = siblings(item);
      var index = all.indexOf(item) + step;
      if (index < 0 || index >= all.length) return;
      if (step < 0) item.parentElement.insertBefore(item, all[index]);
      else item.parentElement.insertBefore(item, all[index].nextSibling);
      serialise();
      announceMove(item);
    }

    root.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action]");
      if (!button || !root.contains(button)) return;
      var action = button.dataset.action;
      var item = button.closest(".composer-item");
      var textField = root.querySelector("#composer-text");
      if (action === "up" || action === "down") {
        move(item, action === "up" ? -1 : 1);
        button.focus();
      } else if (action === "remove") {
        var label = labelOf(item);
        var next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        serialise();
        say(format(texts.removed, { label: label }));
        if (next) (next.querySelector("[data-handle]") || next).focus();
      } else if (action === "add-material") {
        addBlock(JSON.parse(button.dataset.block), button.dataset.kindLabel, button.dataset.title);
      } else if (action === "add-text" || action === "add-heading") {
        var text = textField.value.trim();
        if (!text) { textField.focus(); return; }
        var type = action === "add-text" ? "text" : "heading";
        addBlock({ type: type, text: text }, type === "text" ? texts.kindText : texts.kindHeading, text.slice(0, 90));
        textField.value = "";
      } else if (action === "add-link") {
        var url = root.querySelector("#composer-url");
        var title = root.querySelector("#composer-link-title");
        if (!url.value.trim()) { url.focus(); return; }
        addBlock({ type: "link", url: url.value.trim(), title: title.value.trim() }, texts.kindLink, title.value.trim() || url.value.trim());
        url.value = "";
        title.value = "";
      } else if (action === "add-section") {
        addSection(button.closest("[data-item=chapter]"));
      } else if (action === "add-chapter") {
        addChapter();
      } else if (action === "target") {
        setTarget(button.closest("[data-item=section]").querySelector("[data-list=blocks]"));
        root.querySelector("#composer-search").focus();
      } else if (action === "preview") {
        preview();
      }
    });

    root.addEventListener("keydown", function (event) {
      var handle = event.target.closest("[data-handle]");
      if (!handle || !event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      event.preventDefault();
      var item = handle.closest(".composer-item");
      move(item, event.key === "ArrowUp" ? -1 : 1);
      handle.focus();
    });

    root.addEventListener("input", function (event) {
      if (event.target.matches("[data-title]")) serialise();
    });

    root.addEventListener("focusin", function (event) {
      var section = event.target.closest("[data-item=section]");
      if (section && kind === "textbook") setTarget(section.querySelector("[data-list=blocks]"));
    });

    // Drag and drop: an item moves among the lists that hold its own kind (a block into any
    // section, a section into any chapter).
    var dragged = null;
    root.addEventListener("dragstart", function (event) {
      var item = event.target.closest && event.target.closest(".composer-item");
      if (!item) return;
      dragged = item;
      item.classList.add("composer-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", labelOf(item));
      event.stopPropagation();
    });
    root.addEventListener("dragover", function (event) {
      if (!dragged) return;
      var over = event.target.closest(".composer-item");
      while (over && over.dataset.item !== dragged.dataset.item) over = over.parentElement.closest(".composer-item");
      var list = over ? over.parentElement : event.target.closest(".composer-list");
      if (!list || list.dataset.list !== dragged.parentElement.dataset.list || dragged.contains(list)) return;
      event.preventDefault();
      if (over && over !== dragged) {
        var box = over.getBoundingClientRect();
        list.insertBefore(dragged, event.clientY < box.top + box.height / 2 ? over : over.nextSibling);
      } else if (!over) {
        list.appendChild(dragged);
      }
    });
    root.addEventListener("drop", function (event) {
      if (dragged) event.preventDefault();
    });
    root.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("composer-dragging");
      serialise();
      announceMove(dragged);
      dragged = null;
    });

    function preview() {
      serialise();
      var box = root.querySelector("[data-preview]");
      var body = new FormData();
      body.append("kind", kind);
      body.append("content", content.value);
      body.append("csrfmiddlewaretoken", root.closest("form").querySelector("[name=csrfmiddlewaretoken]").value);
      fetch(root.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          box.querySelector("[data-preview-body]").innerHTML = html;
          box.hidden = false;
          box.scrollIntoView({ block: "start" });
        });
    }

    root.closest("form").addEventListener("submit", serialise);
    if (kind === "textbook") defaultTarget();
    serialise();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-composer]").forEach(init);
  });
})();
