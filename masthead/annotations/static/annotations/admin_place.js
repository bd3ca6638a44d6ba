// The admin's "Ask readers about a passage" page: the editor's selection in the published text becomes the
// form's block id, offsets (code points, as masthead/annotations/anchoring.py counts them) and quote. Each
// paragraph here is its block's plain text as the server computes it, so offsets within it are exact; the
// server checks them against the quote anyway.
(function () {
  "use strict";

  var form = document.querySelector("[data-place-form]");
  var text = document.querySelector("[data-place-text]");
  if (!form || !text) {
    return;
  }
  var chosenNote = form.querySelector("[data-place-chosen]");
  var submit = form.querySelector("[data-place-submit]");
  var CONTEXT_LENGTH = 32;

  function points(value) {
    return Array.from(value).length;
  }

  function offsetIn(block, container, offset) {
    var range = document.createRange();
    range.selectNodeContents(block);
    range.setEnd(container, offset);
    return range.toString().length;
  }

  function choose() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return;
    }
    var range = selection.getRangeAt(0);
    var start = range.startContainer.parentElement && range.startContainer.parentElement.closest("[data-block-id]");
    var end = range.endContainer.parentElement && range.endContainer.parentElement.closest("[data-block-id]");
    if (!start || !text.contains(start)) {
      return;
    }
    if (start !== end) {
      chosenNote.textContent = "Select words within one paragraph.";
      submit.disabled = true;
      return;
    }
    var whole = start.textContent;
    var from = offsetIn(start, range.startContainer, range.startOffset);
    var to = offsetIn(start, range.endContainer, range.endOffset);
    while (from < to && /\s/.test(whole[from])) { from += 1; }
    while (to > from && /\s/.test(whole[to - 1])) { to -= 1; }
    if (from >= to) {
      return;
    }
    var exact = whole.slice(from, to);
    // The last choice's mark goes (after the offsets are read: the selection may be in a marked block).
    text.querySelectorAll("mark").forEach(function (mark) {
      var block = mark.closest("[data-block-id]");
      block.textContent = block.textContent; // back to one text node
    });
    form.elements.block_id.value = start.getAttribute("data-block-id");
    form.elements.start.value = points(whole.slice(0, from));
    form.elements.end.value = points(whole.slice(0, to));
    form.elements.exact.value = exact;
    form.elements.prefix.value = Array.from(whole.slice(0, from)).slice(-CONTEXT_LENGTH).join("");
    form.elements.suffix.value = Array.from(whole.slice(to)).slice(0, CONTEXT_LENGTH).join("");
    var mark = document.createElement("mark");
    mark.textContent = exact;
    start.textContent = "";
    start.append(whole.slice(0, from), mark, whole.slice(to));
    selection.selectAllChildren(mark); // the editor's selection stays on the same words
    chosenNote.textContent = "Selected: “" + exact + "”";
    submit.disabled = false;
  }

  submit.disabled = !form.elements.exact.value;
  document.addEventListener("mouseup", choose);
  document.addEventListener("keyup", choose);
  document.addEventListener("touchend", choose);
})();
