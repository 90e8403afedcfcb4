// The test constructor (assessment/constructor.html). The test part (parta/assessment/definition.py)
// is the state: the page draws its sections and questions from it, each question with the fields of
// its type, and writes it back as JSON into the form's "part" field on every change; the server
// checks it and saves it as a new version. Keys the constructor does not know, at any level, are
// kept as they came. The test's settings (mode, time limit…) are the form's own fields, and so are
// its subjects, grades and topics: a question's topics are offered from those subjects and grades.
// Questions and sections move by their ↑ and ↓ buttons (a question moved past the end of its
// section goes into the next one); every change is announced to screen readers, and the focus
// stays on the button pressed.
(function () {
  "use strict";

  var LETTERS = "abcdefghijklmnopqrstuvwxyz";
  // The fields of each type: a question that changes its type loses those of the old one.
  var TYPE_FIELDS = {
    single: ["options", "correct"],
    multiple: ["options", "correct"],
    true_false: ["correct"],
    short_text: ["variants", "case_sensitive", "ignore_spaces"],
    numeric: ["answer", "tolerance"],
    matching: ["left", "right", "pairs"],
    ordering: ["items"],
    blanks: ["gaps"],
    open: ["allow_files"],
  };
  // The types whose options a student may get shuffled.
  var SHUFFLED = { single: true, multiple: true, matching: true, blanks: true };
  var GAP = /\[\[([1-9][0-9]?)\]\]/g;
  var serial = 0;

  function uid() {
    serial += 1;
    return "tc" + serial;
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // A property the JSON does not carry (a question's key for the focus, its problems).
  function hide(object, name, value) {
    Object.defineProperty(object, name, { value: value, writable: true, configurable: true, enumerable: false });
    return value;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function text(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  // A whole number as typed: null when empty, the text itself when it is no number (the check says so).
  function whole(value) {
    var trimmed = value.trim();
    if (!trimmed) return null;
    return /^[0-9]{1,9}$/.test(trimmed) ? parseInt(trimmed, 10) : trimmed;
  }

  function lines(value) {
    return value.split("\n").map(function (line) { return line.trim(); }).filter(Boolean);
  }

  function readJson(id, fallback) {
    var node = document.getElementById(id);
    try {
      return node ? JSON.parse(node.textContent) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  // An element: props are attributes, except text, class, value/checked/selected (properties) and
  // on<event> (listeners); children are nodes or texts, null ones skipped.
  function h(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (name) {
      var value = props[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else if (name === "value" || name === "checked") node[name] = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // A free id among items: "a", "b"… without a prefix, else prefix1, prefix2…
  function freeId(items, prefix) {
    var used = {};
    items.forEach(function (item) { used[item.id] = true; });
    if (!prefix) {
      for (var k = 0; k < LETTERS.length; k += 1) if (!used[LETTERS[k]]) return LETTERS[k];
      prefix = "o";
    }
    for (var n = 1; ; n += 1) if (!used[prefix + n]) return prefix + n;
  }

  // What a person calls the n-th item (0-based) of a list: A, B… or 1, 2…
  function letter(index) {
    return index < LETTERS.length ? LETTERS[index].toUpperCase() : String(index + 1);
  }

  function markers(value) {
    var found = [];
    var match;
    GAP.lastIndex = 0;
    while ((match = GAP.exec(value))) if (found.indexOf(match[1]) < 0) found.push(match[1]);
    return found;
  }

  function byNumber(a, b) {
    return parseInt(a, 10) - parseInt(b, 10);
  }

  function init(root) {
    var field = root.querySelector("textarea[name=part]");
    var t = root.querySelector("[data-texts]").dataset;
    var types = readJson("constructor-types", []);
    var topics = readJson("constructor-topics", []);
    var problems = readJson("constructor-errors", { questions: {}, sections: {} });
    var box = root.querySelector("[data-sections]");
    var announcer = root.querySelector("[data-announce]");
    var csrf = root.querySelector("[name=csrfmiddlewaretoken]").value;
    var part;
    try {
      part = JSON.parse(field.value);
    } catch (error) {
      return; // the JSON stays on the page to be mended by hand
    }
    if (!isObject(part)) return;

    var typeNames = {};
    types.forEach(function (pair) { typeNames[pair[0]] = pair[1]; });

    // --- the state ---------------------------------------------------------------------------

    if (!Array.isArray(part.sections)) part.sections = [];
    var number = 0;
    part.sections = part.sections.map(function (section, index) {
      section = isObject(section) ? section : {};
      if (!Array.isArray(section.questions)) section.questions = [];
      hide(section, "_key", uid());
      hide(section, "_errors", (problems.sections || {})[String(index + 1)] || []);
      section.questions = section.questions.map(function (question) {
        number += 1;
        question = isObject(question) ? question : {};
        hide(question, "_key", uid());
        hide(question, "_errors", (problems.questions || {})[String(number)] || []);
        return question;
      });
      return section;
    });

    function save() {
      field.value = JSON.stringify(part);
    }

    function say(message) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = message; }, 30);
    }

    function allQuestions() {
      var found = [];
      part.sections.forEach(function (section) { found = found.concat(section.questions); });
      return found;
    }

    function freeQuestionId() {
      return freeId(allQuestions().filter(isObject), "q");
    }

    function defaults(type, question) {
      var options = Array.isArray(question.options) ? question.options : null;
      var correct = question.correct;
      (TYPE_FIELDS[question.type] || []).forEach(function (name) { delete question[name]; });
      question.type = type;
      if (type === "single" || type === "multiple") {
        question.options = options || [{ id: "a", text: "" }, { id: "b", text: "" }];
        var ids = question.options.map(function (option) { return option.id; });
        var chosen = (Array.isArray(correct) ? correct : [correct]).filter(function (id) { return ids.indexOf(id) >= 0; });
        question.correct = type === "single" ? chosen[0] || "" : chosen;
      } else if (type === "short_text") {
        question.variants = [];
        question.case_sensitive = false;
        question.ignore_spaces = false;
      } else if (type === "numeric") {
        question.answer = "";
        question.tolerance = null;
      } else if (type === "matching") {
        question.left = [{ id: "l1", text: "" }, { id: "l2", text: "" }];
        question.right = [{ id: "r1", text: "" }, { id: "r2", text: "" }];
        question.pairs = {};
      } else if (type === "ordering") {
        question.items = [{ id: "i1", text: "" }, { id: "i2", text: "" }, { id: "i3", text: "" }];
      } else if (type === "blanks") {
        question.gaps = {};
        syncGaps(question);
      } else if (type === "open") {
        question.allow_files = true;
      }
    }

    // A blanks question describes exactly the gaps its text marks; a gap whose marker is
    // deleted is kept aside in case it comes back. Whether the gaps changed.
    function syncGaps(question) {
      if (!isObject(question.gaps)) question.gaps = {};
      var aside = question._aside || hide(question, "_aside", {});
      var wanted = markers(text(question.text));
      var before = Object.keys(question.gaps).sort(byNumber).join(",");
      Object.keys(question.gaps).forEach(function (gap) {
        if (wanted.indexOf(gap) < 0) {
          aside[gap] = question.gaps[gap];
          delete question.gaps[gap];
        }
      });
      wanted.forEach(function (gap) {
        if (!isObject(question.gaps[gap])) {
          question.gaps[gap] = aside[gap] || { variants: [], case_sensitive: false, ignore_spaces: false };
        }
      });
      return before !== Object.keys(question.gaps).sort(byNumber).join(",");
    }

    // --- keeping the focus where it was --------------------------------------------------------

    function focusKey() {
      var active = document.activeElement;
      return active && root.contains(active) && active.dataset ? active.dataset.focus || null : null;
    }

    function refocus(key) {
      if (!key) return;
      var found = root.querySelector('[data-focus="' + key + '"]');
      if (found) found.focus();
    }

    // --- small form parts ----------------------------------------------------------------------

    function labelled(label, input, help) {
      var children = [h("label", { for: input.id, text: label })];
      if (help) {
        var helpId = input.id + "-help";
        input.setAttribute("aria-describedby", helpId);
        children.push(h("div", { class: "helptext", id: helpId, text: help }));
      }
      children.push(input);
      return h("div", { class: "field" }, children);
    }

    // A text input (a textarea with rows) for label, its value from get(), each change to set(v).
    function textInput(options) {
      return h(options.rows ? "textarea" : "input", {
        id: options.id || uid(),
        type: options.rows ? null : "text",
        rows: options.rows,
        class: options.className,
        inputmode: options.inputmode,
        autocomplete: "off",
        spellcheck: options.code ? "false" : null,
        "data-focus": options.focus,
        "aria-label": options.ariaLabel,
        value: options.value,
        oninput: function (event) {
          options.set(event.target.value);
          save();
        },
      });
    }

    function textField(label, options) {
      return labelled(label, textInput(options), options.help);
    }

    function checkField(label, object, key, fallback, focus) {
      var id = uid();
      var value = object[key] === undefined || object[key] === null ? fallback : object[key];
      return h("div", { class: "constructor-check" }, [
        h("input", {
          type: "checkbox",
          id: id,
          checked: value === true,
          "data-focus": focus,
          onchange: function (event) {
            object[key] = event.target.checked;
            save();
          },
        }),
        h("label", { for: id, text: label }),
      ]);
    }

    function button(label, options) {
      var inside = options.glyph
        ? [h("span", { "aria-hidden": "true", text: options.glyph }), h("span", { class: "visually-hidden", text: label })]
        : [label];
      return h(
        "button",
        {
          type: "button",
          class: "button button-small " + (options.primary ? "" : "button-secondary ") + (options.className || ""),
          title: options.glyph ? label : null,
          "data-focus": options.focus,
          onclick: options.onclick,
        },
        inside
      );
    }

    function moves(key, label, onMove, onRemove) {
      return h("span", { class: "constructor-moves" }, [
        button(format(t.moveUp, { what: label }), { glyph: "↑", focus: key + ":up", onclick: function () { onMove(-1); } }),
        button(format(t.moveDown, { what: label }), { glyph: "↓", focus: key + ":down", onclick: function () { onMove(1); } }),
        button(format(t.remove, { what: label }), { glyph: "✕", focus: key + ":remove", className: "button-danger", onclick: onRemove }),
      ]);
    }

    function errorList(messages) {
      if (!messages || !messages.length) return null;
      return h("ul", { class: "errorlist" }, messages.map(function (message) { return h("li", { text: message }); }));
    }

    // --- lists of {id, text}: options, items, the columns of a matching -------------------------

    // rows of items: each with its mark (a radio or a checkbox for the right ones, when given),
    // its letter, its text and a remove button; the add button under them.
    function itemList(question, options) {
      var items = options.items;
      var rows = items.map(function (item, index) {
        var name = options.numbered ? String(index + 1) : letter(index);
        var textId = uid();
        var focus = question._key + ":" + options.key + ":" + item.id;
        var row = [];
        if (options.mark) row.push(options.mark(item, name, focus));
        row.push(h("label", { for: textId, class: "constructor-letter", title: format(options.label, { n: name }), text: name }));
        row.push(textInput({
          id: textId,
          value: text(item.text),
          focus: focus + ":text",
          set: function (value) {
            item.text = value;
            if (options.onText) options.onText(item);
          },
        }));
        if (options.extra) row.push(options.extra(item, name, focus));
        if (options.orderable) {
          row.push(button(format(t.moveUp, { what: format(options.label, { n: name }) }), {
            glyph: "↑",
            focus: focus + ":up",
            onclick: function () { moveItem(question, items, index, -1, focus + ":up"); },
          }));
          row.push(button(format(t.moveDown, { what: format(options.label, { n: name }) }), {
            glyph: "↓",
            focus: focus + ":down",
            onclick: function () { moveItem(question, items, index, 1, focus + ":down"); },
          }));
        }
        row.push(button(format(t.remove, { what: format(options.label, { n: name }) }), {
          glyph: "✕",
          focus: focus + ":remove",
          className: "button-danger",
          onclick: function () {
            items.splice(index, 1);
            if (options.onRemove) options.onRemove(item);
            var next = items[index] || items[index - 1];
            rerender(question, next ? question._key + ":" + options.key + ":" + next.id + ":text" : question._key + ":" + options.key + ":add");
            say(format(t.removed, { what: format(options.label, { n: name }) }));
          },
        }));
        return h("div", { class: "constructor-item" }, row);
      });
      return h("fieldset", { class: "constructor-list" }, [
        h("legend", { text: options.legend }),
        options.help ? h("p", { class: "muted small", text: options.help }) : null,
      ].concat(rows).concat([
        button(options.addLabel, {
          focus: question._key + ":" + options.key + ":add",
          onclick: function () {
            var item = { id: freeId(items, options.prefix), text: "" };
            items.push(item);
            rerender(question, question._key + ":" + options.key + ":" + item.id + ":text");
          },
        }),
      ]));
    }

    function moveItem(question, items, index, step, focus) {
      var target = index + step;
      if (target < 0 || target >= items.length) return;
      var item = items.splice(index, 1)[0];
      items.splice(target, 0, item);
      rerender(question, focus);
      say(format(t.movedTo, { position: target + 1, count: items.length }));
    }

    // --- each type's own fields ------------------------------------------------------------------

    function choices(question, multiple) {
      if (!Array.isArray(question.options)) question.options = [];
      var name = uid();
      return itemList(question, {
        items: question.options,
        key: "option",
        legend: multiple ? t.optionsMultiple : t.optionsSingle,
        label: t.option,
        addLabel: t.addOption,
        mark: function (option, letterName, focus) {
          var id = uid();
          var right = multiple
            ? Array.isArray(question.correct) && question.correct.indexOf(option.id) >= 0
            : question.correct === option.id;
          return h("span", { class: "constructor-mark" }, [
            h("input", {
              type: multiple ? "checkbox" : "radio",
              name: name,
              id: id,
              checked: right,
              "data-focus": focus + ":right",
              onchange: function (event) {
                if (multiple) {
                  var chosen = Array.isArray(question.correct) ? question.correct : [];
                  chosen = chosen.filter(function (other) { return other !== option.id; });
                  if (event.target.checked) chosen.push(option.id);
                  // In the options' order, as the check keeps them.
                  question.correct = question.options
                    .map(function (other) { return other.id; })
                    .filter(function (other) { return chosen.indexOf(other) >= 0; });
                } else {
                  question.correct = option.id;
                }
                save();
              },
            }),
            h("label", { for: id, class: "visually-hidden", text: format(t.rightOption, { n: letterName }) }),
          ]);
        },
        onRemove: function (option) {
          if (multiple && Array.isArray(question.correct)) {
            question.correct = question.correct.filter(function (other) { return other !== option.id; });
          } else if (question.correct === option.id) {
            question.correct = "";
          }
        },
      });
    }

    function trueFalse(question) {
      var name = uid();
      function choice(value, label) {
        var id = uid();
        return h("div", { class: "constructor-check" }, [
          h("input", {
            type: "radio",
            name: name,
            id: id,
            checked: question.correct === value,
            "data-focus": question._key + ":tf:" + value,
            onchange: function () {
              question.correct = value;
              save();
            },
          }),
          h("label", { for: id, text: label }),
        ]);
      }
      return h("fieldset", { class: "constructor-list constructor-inline" }, [
        h("legend", { text: t.statementIs }),
        choice(true, t.trueLabel),
        choice(false, t.falseLabel),
      ]);
    }

    function variants(object, label, focus) {
      if (!Array.isArray(object.variants)) object.variants = [];
      return h("div", { class: "constructor-variants" }, [
        textField(label, {
          rows: 3,
          value: object.variants.join("\n"),
          focus: focus + ":variants",
          help: t.variantsHelp,
          set: function (value) { object.variants = lines(value); },
        }),
        checkField(t.caseSensitive, object, "case_sensitive", false, focus + ":case"),
        checkField(t.ignoreSpaces, object, "ignore_spaces", false, focus + ":spaces"),
      ]);
    }

    function numeric(question) {
      return h("div", { class: "field-row" }, [
        textField(t.answer, {
          value: text(question.answer),
          focus: question._key + ":answer",
          inputmode: "decimal",
          help: t.answerHelp,
          set: function (value) { question.answer = value.trim(); },
        }),
        textField(t.tolerance, {
          value: text(question.tolerance),
          focus: question._key + ":tolerance",
          inputmode: "decimal",
          help: t.toleranceHelp,
          set: function (value) { question.tolerance = value.trim() || null; },
        }),
      ]);
    }

    function rightLabel(item, index) {
      return letter(index) + (item.text ? ": " + item.text : "");
    }

    function matching(question) {
      if (!Array.isArray(question.left)) question.left = [];
      if (!Array.isArray(question.right)) question.right = [];
      if (!isObject(question.pairs)) question.pairs = {};
      var left = itemList(question, {
        items: question.left,
        key: "left",
        prefix: "l",
        numbered: true,
        legend: t.leftColumn,
        help: t.leftHelp,
        label: t.leftItem,
        addLabel: t.addLeft,
        extra: function (item, name, focus) {
          var id = uid();
          return h("span", { class: "constructor-pair" }, [
            h("span", { "aria-hidden": "true", text: "→" }),
            h("label", { for: id, class: "visually-hidden", text: format(t.matches, { n: name }) }),
            h("select", {
              id: id,
              "data-focus": focus + ":pair",
              onchange: function (event) {
                if (event.target.value) question.pairs[item.id] = event.target.value;
                else delete question.pairs[item.id];
                save();
              },
            }, [h("option", { value: "", text: "—" })].concat(question.right.map(function (right, index) {
              return h("option", { value: right.id, selected: question.pairs[item.id] === right.id, text: rightLabel(right, index) });
            }))),
          ]);
        },
        onRemove: function (item) { delete question.pairs[item.id]; },
      });
      var right = itemList(question, {
        items: question.right,
        key: "right",
        prefix: "r",
        legend: t.rightColumn,
        help: t.rightHelp,
        label: t.rightItem,
        addLabel: t.addRight,
        onText: function (item) {
          // The pairs' lists name the right items by their texts.
          var index = question.right.indexOf(item);
          question._node.querySelectorAll('option[value="' + item.id + '"]').forEach(function (option) {
            option.textContent = rightLabel(item, index);
          });
        },
        onRemove: function (item) {
          Object.keys(question.pairs).forEach(function (key) {
            if (question.pairs[key] === item.id) delete question.pairs[key];
          });
        },
      });
      return h("div", { class: "constructor-matching" }, [left, right]);
    }

    function ordering(question) {
      if (!Array.isArray(question.items)) question.items = [];
      return itemList(question, {
        items: question.items,
        key: "item",
        prefix: "i",
        numbered: true,
        orderable: true,
        legend: t.itemsInOrder,
        help: t.itemsHelp,
        label: t.item,
        addLabel: t.addItem,
      });
    }

    function gapEditor(question, gap) {
      var spec = question.gaps[gap];
      var focus = question._key + ":gap" + gap;
      var listed = Array.isArray(spec.options);
      var name = uid();
      function kind(value, label) {
        var id = uid();
        return h("div", { class: "constructor-check" }, [
          h("input", {
            type: "radio",
            name: name,
            id: id,
            checked: listed === value,
            "data-focus": focus + ":" + (value ? "list" : "typed"),
            onchange: function () {
              question.gaps[gap] = value
                ? { options: [{ id: "a", text: "" }, { id: "b", text: "" }], correct: "" }
                : { variants: [], case_sensitive: false, ignore_spaces: false };
              rerender(question, focus + ":" + (value ? "list" : "typed"));
            },
          }),
          h("label", { for: id, text: label }),
        ]);
      }
      var body;
      if (listed) {
        var optionName = uid();
        body = itemList(question, {
          items: spec.options,
          key: "gap" + gap + "-option",
          legend: t.gapOptions,
          label: t.option,
          addLabel: t.addOption,
          mark: function (option, letterName, optionFocus) {
            var id = uid();
            return h("span", { class: "constructor-mark" }, [
              h("input", {
                type: "radio",
                name: optionName,
                id: id,
                checked: spec.correct === option.id,
                "data-focus": optionFocus + ":right",
                onchange: function () {
                  spec.correct = option.id;
                  save();
                },
              }),
              h("label", { for: id, class: "visually-hidden", text: format(t.rightOption, { n: letterName }) }),
            ]);
          },
          onRemove: function (option) { if (spec.correct === option.id) spec.correct = ""; },
        });
      } else {
        body = variants(spec, t.acceptedAnswers, focus);
      }
      return h("fieldset", { class: "constructor-gap" }, [
        h("legend", { text: format(t.gap, { n: gap }) }),
        h("div", { class: "constructor-inline" }, [kind(false, t.gapTyped), kind(true, t.gapListed)]),
        body,
      ]);
    }

    function gaps(question) {
      syncGaps(question);
      var numbers = Object.keys(question.gaps).sort(byNumber);
      var node = h("div", { class: "constructor-gaps" }, numbers.length
        ? numbers.map(function (gap) { return gapEditor(question, gap); })
        : [h("p", { class: "muted small", text: t.noGaps })]);
      hide(question, "_gaps", node);
      return node;
    }

    function insertGap(question) {
      var area = question._text;
      var used = markers(area.value).map(Number);
      var next = 1;
      while (used.indexOf(next) >= 0) next += 1;
      var marker = "[[" + next + "]]";
      var start = area.selectionStart === undefined ? area.value.length : area.selectionStart;
      var end = area.selectionEnd === undefined ? start : area.selectionEnd;
      area.value = area.value.slice(0, start) + marker + area.value.slice(end);
      area.focus();
      area.setSelectionRange(start + marker.length, start + marker.length);
      area.dispatchEvent(new Event("input", { bubbles: true }));
      say(format(t.gapAdded, { n: next }));
    }

    var BODIES = {
      single: function (question) { return choices(question, false); },
      multiple: function (question) { return choices(question, true); },
      true_false: trueFalse,
      short_text: function (question) { return variants(question, t.acceptedAnswers, question._key); },
      numeric: numeric,
      matching: matching,
      ordering: ordering,
      blanks: gaps,
      open: function (question) {
        return checkField(t.allowFiles, question, "allow_files", true, question._key + ":files");
      },
    };

    // --- the details most questions do without -----------------------------------------------------

    function topicPicker(question) {
      if (!topics.length) return h("p", { class: "muted small", text: t.noTopics });
      var id = uid();
      var chosen = Array.isArray(question.topic_ids) ? question.topic_ids : [];
      var select = h("select", {
        id: id,
        multiple: true,
        size: 5,
        "data-focus": question._key + ":topics",
        onchange: function (event) {
          question.topic_ids = Array.prototype.filter
            .call(event.target.options, function (option) { return option.selected; })
            .map(function (option) { return parseInt(option.value, 10); });
          save();
        },
      }, topics.map(function (group) {
        return h("optgroup", { label: group[0] }, group[1].map(function (topic) {
          return h("option", { value: String(topic[0]), selected: chosen.indexOf(topic[0]) >= 0, text: topic[1] });
        }));
      }));
      return labelled(t.topics, select, t.topicsHelp);
    }

    // The topics the library's picker offers (library/edit.html#topics), as the questions' choices.
    function topicsOf(select) {
      return Array.prototype.map.call(select.querySelectorAll("optgroup"), function (group) {
        return [group.label, Array.prototype.map.call(group.querySelectorAll("option"), function (option) {
          return [parseInt(option.value, 10), option.textContent];
        })];
      });
    }

    // The subjects and grades changed, htmx drew the test's topic picker again: the questions are
    // offered its topics, and keep those they are tagged with.
    function followTopics(select) {
      var fresh = topicsOf(select);
      var offered = {};
      var tagged = {};
      fresh.forEach(function (group) { group[1].forEach(function (topic) { offered[topic[0]] = true; }); });
      allQuestions().forEach(function (question) {
        (Array.isArray(question.topic_ids) ? question.topic_ids : []).forEach(function (id) { tagged[id] = true; });
      });
      topics.forEach(function (group) {
        group[1].forEach(function (topic) {
          if (!tagged[topic[0]] || offered[topic[0]]) return;
          var same = fresh.filter(function (other) { return other[0] === group[0]; })[0];
          if (!same) fresh.push(same = [group[0], []]);
          same[1].push(topic);
        });
      });
      topics = fresh;
      renderAll(null);
    }

    function params(question) {
      var rows = Object.keys(isObject(question.params) ? question.params : {}).map(function (name) {
        var spec = isObject(question.params[name]) ? question.params[name] : {};
        return { name: name, min: text(spec.min), max: text(spec.max), step: text(spec.step) };
      });
      function store() {
        var value = {};
        rows.forEach(function (row) {
          value[row.name] = { min: row.min.trim() || null, max: row.max.trim() || null, step: row.step.trim() || null };
        });
        question.params = value;
      }
      var list = rows.map(function (row, index) {
        var focus = question._key + ":param" + index;
        function cell(label, key) {
          return textField(label, {
            value: row[key],
            focus: focus + ":" + key,
            className: "input-narrow",
            inputmode: key === "name" ? null : "decimal",
            code: true,
            set: function (value) {
              row[key] = key === "name" ? value.trim() : value;
              store();
            },
          });
        }
        return h("div", { class: "constructor-param" }, [
          cell(t.paramName, "name"),
          cell(t.paramMin, "min"),
          cell(t.paramMax, "max"),
          cell(t.paramStep, "step"),
          button(format(t.remove, { what: format(t.param, { name: row.name || index + 1 }) }), {
            glyph: "✕",
            className: "button-danger",
            focus: focus + ":remove",
            onclick: function () {
              rows.splice(index, 1);
              store();
              rerender(question, question._key + ":param-add");
            },
          }),
        ]);
      });
      return h("fieldset", { class: "constructor-list" }, [
        h("legend", { text: t.params }),
        h("p", { class: "muted small", text: t.paramsHelp }),
      ].concat(list).concat([
        button(t.addParam, {
          focus: question._key + ":param-add",
          onclick: function () {
            var used = rows.map(function (row) { return row.name; });
            var name = "abcdefghknmpxyz".split("").filter(function (c) { return used.indexOf(c) < 0; })[0] || "";
            rows.push({ name: name, min: "1", max: "9", step: "1" });
            store();
            rerender(question, question._key + ":param" + (rows.length - 1) + ":min");
          },
        }),
      ]));
    }

    function more(question) {
      var filled = question.image || (question.topic_ids || []).length || (question.outcomes || []).length ||
        Object.keys(isObject(question.params) ? question.params : {}).length;
      return h("details", { class: "constructor-more", open: filled ? true : null }, [
        h("summary", { "data-focus": question._key + ":more", text: t.more }),
        textField(t.image, {
          value: text(question.image),
          focus: question._key + ":image",
          help: t.imageHelp,
          set: function (value) {
            var trimmed = value.trim();
            question.image = !trimmed ? null : /^[0-9]{1,15}$/.test(trimmed) ? parseInt(trimmed, 10) : trimmed;
          },
        }),
        topicPicker(question),
        textField(t.outcomes, {
          rows: 2,
          value: (Array.isArray(question.outcomes) ? question.outcomes : []).join("\n"),
          focus: question._key + ":outcomes",
          help: t.outcomesHelp,
          set: function (value) { question.outcomes = lines(value); },
        }),
        params(question),
      ]);
    }

    // --- a question ------------------------------------------------------------------------------

    function renderQuestion(question, section, index, numberOf) {
      var headId = uid();
      var label = format(t.question, { n: numberOf });
      hide(question, "_number", numberOf);
      var typeId = uid();
      var typeSelect = h("select", {
        id: typeId,
        "data-focus": question._key + ":type",
        onchange: function (event) {
          defaults(event.target.value, question);
          rerender(question, question._key + ":type");
          say(format(t.typeChanged, { what: label, type: typeNames[question.type] || question.type }));
        },
      }, (typeNames[question.type] ? [] : [h("option", { value: "", text: "—" })]).concat(types.map(function (pair) {
        return h("option", { value: pair[0], selected: pair[0] === question.type, text: pair[1] });
      })));
      var textArea = textInput({
        rows: 3,
        value: text(question.text),
        focus: question._key + ":text",
        set: function (value) {
          question.text = value;
          if (question.type === "blanks" && syncGaps(question) && question._gaps) {
            var old = question._gaps;
            old.replaceWith(gaps(question));
          }
        },
      });
      hide(question, "_text", textArea);
      var preview = h("div", { class: "constructor-preview", "aria-live": "polite", hidden: true });
      var body = BODIES[question.type] ? BODIES[question.type](question) : null;
      var node = h("li", {
        class: "constructor-question" + (question._errors.length ? " has-problems" : ""),
        id: "question-" + numberOf,
        "data-key": question._key,
        "aria-labelledby": headId,
      }, [
        h("div", { class: "constructor-head" }, [
          h("h3", { id: headId }, [label, " ", h("span", { class: "chip", text: typeNames[question.type] || "—" })]),
          moves(question._key, label, function (step) { moveQuestion(section, index, step); }, function () {
            removeQuestion(section, index, label);
          }),
        ]),
        errorList(question._errors),
        h("div", { class: "field-row constructor-basics" }, [
          labelled(t.type, typeSelect),
          textField(t.points, {
            value: text(question.points === undefined ? 1 : question.points),
            focus: question._key + ":points",
            inputmode: "numeric",
            className: "input-narrow",
            set: function (value) { question.points = whole(value); },
          }),
        ]),
        labelled(t.text, textArea, question.type === "blanks" ? t.blanksHelp : t.textHelp),
        question.type === "blanks"
          ? h("p", {}, [button(t.insertGap, { focus: question._key + ":insert-gap", onclick: function () { insertGap(question); } })])
          : null,
        body,
        SHUFFLED[question.type] ? checkField(t.shuffleOptions, question, "shuffle", false, question._key + ":shuffle") : null,
        textField(t.explanation, {
          rows: 2,
          value: text(question.explanation),
          focus: question._key + ":explanation",
          help: t.explanationHelp,
          set: function (value) { question.explanation = value; },
        }),
        more(question),
        h("div", { class: "button-row" }, [
          button(t.preview, { focus: question._key + ":preview", onclick: function () { showPreview(question, preview); } }),
        ]),
        preview,
      ]);
      hide(question, "_node", node);
      return node;
    }

    function rerender(question, focus) {
      var old = question._node;
      var section = part.sections.filter(function (s) { return s.questions.indexOf(question) >= 0; })[0];
      var fresh = renderQuestion(question, section, section.questions.indexOf(question), question._number);
      old.replaceWith(fresh);
      save();
      refocus(focus);
    }

    function showPreview(question, target) {
      var body = new FormData();
      body.append("question", JSON.stringify(question));
      body.append("number", String(question._number));
      body.append("csrfmiddlewaretoken", csrf);
      target.hidden = false;
      target.textContent = t.previewLoading;
      fetch(root.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          target.innerHTML = html;
          if (window.partaMath) window.partaMath(target);
        })
        .catch(function () { target.textContent = t.previewFailed; });
    }

    // --- sections and the questions in them ------------------------------------------------------

    function addQuestion(section, type) {
      var question = { id: freeQuestionId(), type: "", text: "", points: 1, explanation: "" };
      hide(question, "_key", uid());
      hide(question, "_errors", []);
      defaults(type, question);
      section.questions.push(question);
      renderAll(question._key + ":text");
      say(format(t.added, { what: format(t.question, { n: question._number }) }));
    }

    function removeQuestion(section, index, label) {
      section.questions.splice(index, 1);
      var next = section.questions[index] || section.questions[index - 1];
      renderAll(next ? next._key + ":up" : section._key + ":add");
      say(format(t.removed, { what: label }));
    }

    function moveQuestion(section, index, step) {
      var at = part.sections.indexOf(section);
      var question = section.questions[index];
      var target = index + step;
      if (target >= 0 && target < section.questions.length) {
        section.questions.splice(index, 1);
        section.questions.splice(target, 0, question);
      } else if (target < 0 && at > 0) {
        section.questions.splice(index, 1);
        part.sections[at - 1].questions.push(question);
      } else if (target >= section.questions.length && at < part.sections.length - 1) {
        section.questions.splice(index, 1);
        part.sections[at + 1].questions.unshift(question);
      } else {
        return;
      }
      renderAll(question._key + (step < 0 ? ":up" : ":down"));
      say(format(t.movedTo, { position: question._number, count: allQuestions().length }));
    }

    function moveSection(index, step) {
      var target = index + step;
      if (target < 0 || target >= part.sections.length) return;
      var section = part.sections.splice(index, 1)[0];
      part.sections.splice(target, 0, section);
      renderAll(section._key + (step < 0 ? ":up" : ":down"));
      say(format(t.movedTo, { position: target + 1, count: part.sections.length }));
    }

    function removeSection(index, label) {
      part.sections.splice(index, 1);
      var next = part.sections[index] || part.sections[index - 1];
      renderAll(next ? next._key + ":title" : "add-section");
      say(format(t.removed, { what: label }));
    }

    function addSection() {
      var section = { title: "", draw: null, shuffle: false, questions: [] };
      hide(section, "_key", uid());
      hide(section, "_errors", []);
      part.sections.push(section);
      renderAll(section._key + ":title");
      say(format(t.added, { what: format(t.section, { n: part.sections.length }) }));
    }

    function renderSection(section, index, first) {
      var headId = uid();
      var label = format(t.section, { n: index + 1 });
      var list = h("ol", { class: "constructor-questions" }, section.questions.map(function (question, at) {
        return renderQuestion(question, section, at, first + at);
      }));
      var typeId = uid();
      var typeSelect = h("select", { id: typeId, "data-focus": section._key + ":new-type" }, types.map(function (pair) {
        return h("option", { value: pair[0], text: pair[1] });
      }));
      return h("section", {
        class: "constructor-section",
        id: "section-" + (index + 1),
        "data-key": section._key,
        "aria-labelledby": headId,
      }, [
        h("div", { class: "constructor-head" }, [
          h("h2", { id: headId, text: label }),
          moves(section._key, label, function (step) { moveSection(index, step); }, function () { removeSection(index, label); }),
        ]),
        errorList(section._errors),
        h("div", { class: "field-row" }, [
          textField(t.sectionTitle, {
            value: text(section.title),
            focus: section._key + ":title",
            set: function (value) { section.title = value; },
          }),
          textField(t.draw, {
            value: text(section.draw),
            focus: section._key + ":draw",
            inputmode: "numeric",
            help: t.drawHelp,
            set: function (value) { section.draw = whole(value); },
          }),
        ]),
        checkField(t.shuffleQuestions, section, "shuffle", false, section._key + ":shuffle"),
        section.questions.length ? list : h("p", { class: "muted", text: t.noQuestions }),
        h("div", { class: "constructor-add" }, [
          labelled(t.newType, typeSelect),
          button(t.addQuestion, {
            primary: true,
            focus: section._key + ":add",
            onclick: function () { addQuestion(section, typeSelect.value); },
          }),
        ]),
      ]);
    }

    function renderAll(focus) {
      var keep = focus || focusKey();
      box.textContent = "";
      var first = 1;
      part.sections.forEach(function (section, index) {
        box.appendChild(renderSection(section, index, first));
        first += section.questions.length;
      });
      save();
      refocus(keep);
    }

    // --- go ----------------------------------------------------------------------------------------

    root.querySelector("[data-part-field]").hidden = true;
    root.querySelectorAll("[data-js-only]").forEach(function (node) { node.hidden = false; });
    var adder = root.querySelector("[data-action=add-section]");
    adder.setAttribute("data-focus", "add-section");
    adder.addEventListener("click", addSection);
    root.addEventListener("submit", save);
    var picker = root.querySelector("select[name=topics]");
    document.addEventListener("htmx:load", function (event) {
      var select = root.querySelector("select[name=topics]");
      if (!select || select === picker || !event.target.contains(select)) return;
      picker = select;
      followTopics(select);
    });
    renderAll(null);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-constructor]").forEach(init);
  });
})();
