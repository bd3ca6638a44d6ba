// Inline feedback on the article page: highlights and margin markers where the server says passages are, the
// comments of a passage beside the text, and "Comment on this" for a reader's selection.
// Offsets count code points in one block's plain text, exactly as masthead/annotations/anchoring.py does
// (block_plain_text): text nodes in order, one "\n" per <br> and one between block-level elements.
// Without this file the comments still show in the discussion with their quotes.
(function () {
  "use strict";

  // Words come from Django's JavaScript catalogue (the jsi18n script before this one), in the page's language.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  var dataNode = document.getElementById("inline-feedback-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : null;
  var body = document.querySelector(".article-body");
  var BLOCK_ELEMENTS = (
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li " +
    "main nav ol p pre section table td th tr ul"
  ).split(" ").reduce(function (set, tag) { set[tag] = true; return set; }, {});
  var CONTEXT_LENGTH = 32;
  var passagesByAnchor = {};

  // --- Plain text of a block, and where each piece of it lives in the DOM ----------------------------------

  function isInterface(element) {
    return element.hasAttribute("data-inline-ui");
  }

  function blockText(block) {
    var parts = [];
    var segments = [];
    var length = 0;
    var breakPending = false;

    function push(text, node) {
      if (breakPending) {
        parts.push("\n");
        length += 1;
        breakPending = false;
      }
      if (node) {
        segments.push({ node: node, start: length });
      }
      parts.push(text);
      length += text.length;
    }

    function walk(parent) {
      for (var child = parent.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) {
          if (child.data) {
            push(child.data, child);
          }
        } else if (child.nodeType === Node.ELEMENT_NODE && !isInterface(child)) {
          var tag = child.tagName.toLowerCase();
          if (tag === "br") {
            parts.push("\n");
            length += 1;
            breakPending = false;
            continue;
          }
          var isBlock = BLOCK_ELEMENTS[tag];
          if (isBlock && length) {
            breakPending = true;
          }
          walk(child);
          if (isBlock && length) {
            breakPending = true;
          }
        }
      }
    }

    if (block.tagName.toLowerCase() === "blockquote") {
      // A block quote's text is its quote (rendered by |linebreaks: paragraphs and <br>), not the attribution.
      block.querySelectorAll(":scope > p").forEach(function (paragraph, index) {
        if (index) {
          parts.push("\n\n");
          length += 2;
        }
        breakPending = false;
        walk(paragraph);
      });
    } else {
      walk(block);
    }
    return { text: parts.join(""), segments: segments };
  }

  // Code points (the server's unit) to UTF-16 units (the DOM's) and back.
  function toUnits(text, points) {
    var units = 0;
    for (var seen = 0; seen < points && units < text.length; seen += 1) {
      var code = text.charCodeAt(units);
      units += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    }
    return units;
  }

  function toPoints(text, units) {
    return Array.from(text.slice(0, units)).length;
  }

  function offsetAt(info, container, offset) {
    if (container.nodeType === Node.TEXT_NODE) {
      for (var i = 0; i < info.segments.length; i += 1) {
        if (info.segments[i].node === container) {
          return info.segments[i].start + offset;
        }
      }
    }
    var probe = document.createRange();
    probe.setStart(container, container.nodeType === Node.TEXT_NODE ? 0 : offset);
    for (var j = 0; j < info.segments.length; j += 1) {
      if (probe.comparePoint(info.segments[j].node, 0) >= 0) {
        return info.segments[j].start;
      }
    }
    return info.text.length;
  }

  function blockOf(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    var block = element && element.closest("[data-block-id]");
    return block && body && body.contains(block) ? block : null;
  }

  function blockById(id) {
    return body ? body.querySelector('[data-block-id="' + CSS.escape(id) + '"]') : null;
  }

  // --- Highlights ------------------------------------------------------------------------------------------

  // Where the server's offsets fall in this page's text; when the page is older or newer than the revision
  // the anchors were resolved on, the same words nearest the offsets, else nowhere.
  function locate(info, passage) {
    var start = toUnits(info.text, passage.start);
    var end = toUnits(info.text, passage.end);
    if (info.text.slice(start, end) === passage.quote) {
      return [start, end];
    }
    var best = -1;
    var at = info.text.indexOf(passage.quote);
    while (at !== -1) {
      if (best === -1 || Math.abs(at - start) < Math.abs(best - start)) {
        best = at;
      }
      at = info.text.indexOf(passage.quote, at + 1);
    }
    return best === -1 || !passage.quote ? null : [best, best + passage.quote.length];
  }

  function wrap(block, start, end, className, attributes) {
    var info = blockText(block);
    var marks = [];
    info.segments.forEach(function (segment) {
      var node = segment.node;
      var from = Math.max(start, segment.start) - segment.start;
      var to = Math.min(end, segment.start + node.data.length) - segment.start;
      if (from >= to) {
        return;
      }
      if (to < node.data.length) {
        node.splitText(to);
      }
      if (from > 0) {
        node = node.splitText(from);
      }
      var mark = document.createElement("mark");
      mark.className = className;
      Object.keys(attributes).forEach(function (name) { mark.setAttribute(name, attributes[name]); });
      node.parentNode.insertBefore(mark, node);
      mark.appendChild(node);
      marks.push(mark);
    });
    return marks;
  }

  function countLabel(count) {
    return interpolate(ngettext("%(count)s comment on this passage", "%(count)s comments on this passage", count), { count: count }, true);
  }

  function highlight(passage) {
    var block = blockById(passage.block);
    if (!block) {
      return false;
    }
    var span = locate(blockText(block), passage);
    if (!span) {
      return false;
    }
    var marks = wrap(block, span[0], span[1], "inline-passage", { "data-passage": passage.id });
    if (!marks.length) {
      return false;
    }
    marks[0].id = "passage-" + passage.id;
    var marker = document.createElement("button");
    marker.type = "button";
    marker.className = "passage-marker";
    marker.setAttribute("data-inline-ui", "");
    marker.setAttribute("data-passage-marker", passage.id);
    marker.setAttribute("aria-label", countLabel(passage.count));
    marker.setAttribute("aria-expanded", "false");
    marker.textContent = passage.count;
    marks[marks.length - 1].after(marker);
    block.classList.add("has-passages");
    passage.marks = marks;
    passage.marker = marker;
    passage.anchors.forEach(function (anchorId) {
      passagesByAnchor[anchorId] = passage;
      if (anchorId !== passage.id) {
        var alias = document.createElement("span");
        alias.id = "passage-" + anchorId;
        alias.setAttribute("data-inline-ui", "");
        marks[0].before(alias);
      }
    });
    return true;
  }

  function addToPassage(anchor) {
    var existing = data.passages.filter(function (passage) {
      return passage.block === anchor.block_id && passage.start === anchor.start && passage.end === anchor.end;
    })[0];
    if (existing && existing.marker) {
      existing.count += 1;
      existing.anchors.push(anchor.id);
      passagesByAnchor[anchor.id] = existing;
      existing.marker.textContent = existing.count;
      existing.marker.setAttribute("aria-label", countLabel(existing.count));
      return existing;
    }
    var passage = {
      id: anchor.id, block: anchor.block_id, start: anchor.start, end: anchor.end, quote: anchor.exact,
      count: 1, anchors: [anchor.id]
    };
    data.passages.push(passage);
    highlight(passage);
    return passage;
  }

  function flash(passage) {
    passage.marks.forEach(function (mark) {
      mark.classList.remove("is-flashing");
      void mark.offsetWidth; // restart the animation
      mark.classList.add("is-flashing");
    });
  }

  function showPassage(anchorId) {
    var passage = passagesByAnchor[anchorId];
    if (!passage || !passage.marks) {
      return false;
    }
    passage.marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
    flash(passage);
    return true;
  }

  // --- The comments of one passage, beside the text (below it on narrow screens) --------------------------

  function closePanel() {
    var open = document.querySelector("[data-passage-panel]");
    if (open) {
      open.remove();
    }
    document.querySelectorAll(".inline-passage.is-active").forEach(function (mark) {
      mark.classList.remove("is-active");
    });
    document.querySelectorAll("[data-passage-marker][aria-expanded=true]").forEach(function (marker) {
      marker.setAttribute("aria-expanded", "false");
    });
  }

  function place(element, block) {
    block.after(element);
    element.style.insetBlockStart = block.offsetTop + "px";
  }

  function openPanel(passage) {
    closePanel();
    var url = data.passageUrl.replace(/\/0\/$/, "/" + passage.id + "/");
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (!html) {
        return;
      }
      closePanel();
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var panel = holder.firstElementChild;
      place(panel, blockById(passage.block));
      passage.marks.forEach(function (mark) { mark.classList.add("is-active"); });
      passage.marker.setAttribute("aria-expanded", "true");
      panel.focus({ preventScroll: true });
      panel.__passage = passage;
    });
  }

  // --- Selecting words and commenting on them --------------------------------------------------------------

  var button = null;
  var chosen = null;

  function selectionDetails() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount || !body) {
      return null;
    }
    var range = selection.getRangeAt(0);
    var startBlock = blockOf(range.startContainer);
    var endBlock = blockOf(range.endContainer);
    if (!startBlock && !endBlock) {
      return null;
    }
    if (!startBlock || !endBlock || startBlock !== endBlock) {
      return { range: range, block: startBlock || endBlock, across: true };
    }
    var info = blockText(startBlock);
    var start = offsetAt(info, range.startContainer, range.startOffset);
    var end = offsetAt(info, range.endContainer, range.endOffset);
    while (start < end && /\s/.test(info.text[start])) { start += 1; }
    while (end > start && /\s/.test(info.text[end - 1])) { end -= 1; }
    if (start >= end) {
      return null;
    }
    return {
      range: range,
      block: startBlock,
      across: false,
      block_id: startBlock.getAttribute("data-block-id"),
      start: toPoints(info.text, start),
      end: toPoints(info.text, end),
      exact: info.text.slice(start, end),
      prefix: Array.from(info.text.slice(0, start)).slice(-CONTEXT_LENGTH).join(""),
      suffix: Array.from(info.text.slice(end)).slice(0, CONTEXT_LENGTH).join("")
    };
  }

  function hideButton() {
    if (button) {
      button.hidden = true;
    }
  }

  function showButton() {
    var details = selectionDetails();
    if (!details) {
      hideButton();
      return;
    }
    chosen = details;
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "comment-on-selection";
      button.setAttribute("data-inline-ui", "");
      button.textContent = gettext("Comment on this");
      // Keep the reader's selection when the button is pressed.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { openComposer(chosen); });
    }
    var rect = details.range.getBoundingClientRect();
    var origin = body.getBoundingClientRect();
    details.block.after(button); // after the passage's block in the tab order
    button.hidden = false;
    button.style.insetBlockStart = rect.bottom - origin.top + 6 + "px";
    // Under the start of the selection: its left edge in a left-to-right article, its right edge in Arabic.
    if (window.getComputedStyle(body).direction === "rtl") {
      button.style.left = "";
      button.style.insetInlineStart = Math.max(0, Math.min(origin.right - rect.right, origin.width - 160)) + "px";
    } else {
      button.style.insetInlineStart = Math.max(0, Math.min(rect.left - origin.left, origin.width - 160)) + "px";
    }
  }

  var pending = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(showButton, 120);
  });

  function closeComposer() {
    var open = document.querySelector(".inline-composer");
    if (open) {
      open.remove();
    }
  }

  function openComposer(details) {
    closeComposer();
    closePanel();
    hideButton();
    var template = document.getElementById("inline-composer-template");
    var form;
    if (!template) {
      form = document.createElement("p");
      form.className = "inline-composer inline-composer-closed";
      var closed = document.getElementById("inline-composer-closed");
      form.textContent = closed ? closed.textContent : gettext("Comments are closed.");
      details.block.after(form);
      return;
    }
    form = template.content.firstElementChild.cloneNode(true);
    ["block_id", "start", "end", "exact", "prefix", "suffix"].forEach(function (name) {
      form.elements[name].value = details[name] === undefined ? "" : details[name];
    });
    form.querySelector("[data-composer-quote]").textContent = details.exact || details.range.toString();
    form.querySelector("[data-composer-cancel]").addEventListener("click", closeComposer);
    details.block.after(form);
    place(form, details.block);
    if (details.across) {
      form.querySelector("[data-form-error]").textContent =
        gettext("The selection runs across two paragraphs (or a heading and a paragraph); select words within one paragraph.");
      form.querySelector("button[type=submit]").disabled = true;
      return;
    }
    form.querySelector("textarea").focus({ preventScroll: true });
    form.scrollIntoView({ block: "nearest" });
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(form) {
    var fields = form.elements;
    var payload = {
      body: fields.body.value,
      name: fields.name ? fields.name.value : "",
      email: fields.email ? fields.email.value : "",
      website: fields.website ? fields.website.value : "",
      subscribe: fields.subscribe ? fields.subscribe.checked : false
    };
    if (fields.feedback_point_id) {
      payload.feedback_point_id = parseInt(fields.feedback_point_id.value, 10);
    } else {
      payload.block_id = fields.block_id.value;
      payload.start = parseInt(fields.start.value, 10);
      payload.end = parseInt(fields.end.value, 10);
      payload.exact = fields.exact.value;
      payload.prefix = fields.prefix.value;
      payload.suffix = fields.suffix.value;
    }
    var error = form.querySelector("[data-form-error]");
    form.setAttribute("aria-busy", "true");
    fetch(data.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (result) { return { ok: response.ok, result: result }; });
    }).then(function (answer) {
      form.removeAttribute("aria-busy");
      if (!answer.ok) {
        error.textContent = answer.result.detail || gettext("The comment could not be posted.");
        return;
      }
      var notice = document.createElement("p");
      notice.className = "inline-feedback-notice";
      notice.setAttribute("role", "status");
      if (answer.result.visible) {
        var passage = addToPassage(answer.result.anchor);
        notice.textContent = gettext("Your comment is posted.");
        form.replaceWith(notice);
        if (passage.marks) {
          flash(passage);
        }
      } else {
        notice.textContent = gettext("Thank you: your comment will appear once an editor has approved it.");
        form.replaceWith(notice);
      }
      window.setTimeout(function () { notice.remove(); }, 6000);
    }).catch(function () {
      form.removeAttribute("aria-busy");
      error.textContent = gettext("The comment could not be sent; check your connection and try again.");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!data || !form.hasAttribute("data-inline-composer")) {
      return;
    }
    event.preventDefault();
    post(form);
  });

  // --- Clicks: marks, markers, panel buttons and quoted-passage links in the discussion -------------------

  document.addEventListener("click", function (event) {
    var target = event.target;
    var link = target.closest("[data-passage-link]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      if (showPassage(link.getAttribute("data-passage-link"))) {
        event.preventDefault();
        window.history.replaceState(null, "", "#passage-" + link.getAttribute("data-passage-link"));
      }
      return;
    }
    var opener = target.closest("[data-passage-marker], mark.inline-passage");
    if (opener && window.getSelection().isCollapsed) {
      var id = opener.getAttribute("data-passage-marker") || opener.getAttribute("data-passage");
      var passage = passagesByAnchor[id];
      var open = document.querySelector("[data-passage-panel]");
      if (open && open.__passage === passage) {
        closePanel();
      } else if (passage) {
        openPanel(passage);
      }
      return;
    }
    if (target.closest("[data-panel-close]")) {
      var marker = document.querySelector("[data-passage-marker][aria-expanded=true]");
      closePanel();
      if (marker) {
        marker.focus();
      }
      return;
    }
    var again = target.closest("[data-comment-on-passage]");
    if (again) {
      var same = passagesByAnchor[again.getAttribute("data-comment-on-passage")];
      var block = blockById(same.block);
      var info = blockText(block);
      var span = locate(info, same);
      if (span) {
        openComposer({
          block: block, block_id: same.block, start: same.start, end: same.end, exact: same.quote,
          prefix: Array.from(info.text.slice(0, span[0])).slice(-CONTEXT_LENGTH).join(""),
          suffix: Array.from(info.text.slice(span[1])).slice(0, CONTEXT_LENGTH).join("")
        });
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closePanel();
      closeComposer();
    }
  });

  // "Inline feedback" beside the discussion's sorts (without this script: a link under the article).
  function addFilterLink() {
    var filter = document.querySelector("[data-inline-filter-link]");
    var sorts = document.querySelector("#discussion .discussion-sort");
    if (filter && sorts && !sorts.querySelector("[data-inline-filter]")) {
      var item = document.createElement("a");
      item.href = filter.href;
      item.textContent = gettext("Inline feedback");
      item.setAttribute("data-inline-filter", "");
      sorts.appendChild(item);
    }
  }

  // --- Start --------------------------------------------------------------------------------------------

  function start() {
    if (!data || !body) {
      return;
    }
    data.passages.forEach(highlight);
    // Editors' questions sit beside their passage, which is marked for them.
    data.points.forEach(function (point) {
      var element = document.getElementById("feedback-point-" + point.id);
      var block = blockById(point.block);
      if (!element || !block) {
        return;
      }
      var info = blockText(block);
      var span = locate(info, { start: point.start, end: point.end, quote: element.querySelector(".passage-quote").textContent });
      if (span) {
        wrap(block, span[0], span[1], "feedback-passage", { "data-feedback-passage": point.id });
      }
      block.after(element);
      element.classList.add("is-placed");
    });
    var hint = document.querySelector("[data-inline-hint]");
    if (hint) {
      body.before(hint);
      hint.hidden = false;
    }
    addFilterLink();
    // The discussion's script replaces the whole section when the reader re-sorts it.
    var discussion = document.getElementById("discussion");
    if (discussion && discussion.parentNode) {
      new MutationObserver(addFilterLink).observe(discussion.parentNode, { childList: true });
    }
    var match = /^#passage-(\d+)$/.exec(window.location.hash);
    if (match) {
      showPassage(match[1]);
    }
    document.documentElement.classList.add("inline-feedback-enhanced");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
