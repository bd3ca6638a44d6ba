// Progressive enhancement for the discussion: the same forms and links, answered in place without a reload.
// Every action here also works without this file, as a plain form post or link.
(function () {
  "use strict";

  // Words come from Django's JavaScript catalogue (the jsi18n script before this one), in the page's language.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  var HEADERS = { "X-Discussion": "fetch" };

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  }

  function send(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = HEADERS;
    return fetch(url, options).then(function (response) {
      return response.text().then(function (html) {
        return { ok: response.ok, html: html, removed: response.headers.get("X-Discussion-Removed") };
      });
    });
  }

  function withParam(url, name, value) {
    var address = new URL(url, window.location.href);
    address.searchParams.set(name, value);
    return address.toString();
  }

  function showError(form, html) {
    var box = form.querySelector("[data-form-error]");
    if (box) {
      box.innerHTML = html;
    } else {
      form.insertAdjacentHTML("beforeend", html);
    }
  }

  function bumpCount(section, by) {
    var counter = section.querySelector("[data-comment-count]");
    var count = parseInt(counter.dataset.commentCount || counter.textContent, 10) + by;
    counter.dataset.commentCount = count;
    counter.textContent = interpolate(ngettext("%(count)s comment", "%(count)s comments", count), { count: count }, true);
  }

  function insertComment(form, html) {
    var section = form.closest("[data-discussion]");
    var item = fragment(html).firstElementChild;
    var parentField = form.querySelector("input[name=parent_id]");
    if (parentField) {
      var parent = document.getElementById("comment-" + parentField.value);
      var replies = parent && parent.querySelector(":scope > ol.replies");
      if (parent && !replies) {
        replies = document.createElement("ol");
        replies.className = "replies";
        parent.appendChild(replies);
      }
      (replies || section.querySelector("[data-comment-list]")).appendChild(item);
      form.remove();
    } else {
      var list = section.querySelector("[data-comment-list]");
      if (section.dataset.sort === "newest") {
        list.prepend(item);
      } else {
        list.appendChild(item);
      }
      form.reset();
      form.querySelector("[data-form-error]").innerHTML = "";
    }
    if (!item.querySelector(".comment-pending")) {
      bumpCount(section, 1);
    }
    item.scrollIntoView({ block: "nearest" });
  }

  function replaceComment(form, result) {
    var comment = form.closest("article.comment");
    if (result.removed) {
      bumpCount(form.closest("[data-discussion]"), -1);
      comment.closest("li").remove();
      return;
    }
    comment.replaceWith(fragment(result.html));
  }

  function submit(form, submitter) {
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      return;
    }
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    form.setAttribute("aria-busy", "true");
    send(form.action, { method: "POST", body: data }).then(function (result) {
      form.removeAttribute("aria-busy");
      if (!result.ok) {
        showError(form, result.html);
        return;
      }
      var kind = form.dataset.enhance;
      if (kind === "new") {
        insertComment(form, result.html);
      } else if (kind === "comment") {
        replaceComment(form, result);
      } else {
        form.replaceWith(fragment(result.html));
      }
    });
  }

  function quotedSelection(comment) {
    var selection = window.getSelection();
    var body = comment.querySelector(".comment-body");
    if (!selection || selection.isCollapsed || !body || !body.contains(selection.anchorNode)) {
      return "";
    }
    var author = comment.querySelector(".comment-author").textContent;
    var lines = selection.toString().trim().split("\n");
    return interpolate(gettext("%(author)s wrote:"), { author: author }, true) + "\n\n" + lines.map(function (line) { return "> " + line; }).join("\n") + "\n\n";
  }

  function openInline(link) {
    var comment = link.closest("article.comment");
    var target = comment.querySelector("[data-inline-target]");
    var quote = link.classList.contains("reply-link") ? quotedSelection(comment) : "";
    send(link.href).then(function (result) {
      target.innerHTML = result.html;
      var textarea = target.querySelector("textarea");
      if (textarea) {
        if (quote) {
          textarea.value = quote;
        }
        textarea.focus();
      }
    });
  }

  function resort(link) {
    var section = link.closest("[data-discussion]");
    var sort = link.dataset.sortLink;
    var url = withParam(withParam(section.dataset.threadUrl, "sort", sort), "fragment", "section");
    send(url).then(function (result) {
      if (!result.ok) {
        return;
      }
      section.replaceWith(fragment(result.html));
      var address = new URL(window.location.href);
      if (!document.body.classList.contains("discussion-thread-page")) {
        address.searchParams.set("sort", sort);
        address.searchParams.delete("page");
        window.history.replaceState(null, "", address.pathname + address.search + "#discussion");
      }
    });
  }

  function loadMore(link) {
    var holder = link.closest("[data-load-more]");
    var section = link.closest("[data-discussion]");
    send(withParam(link.href, "fragment", "items")).then(function (result) {
      if (!result.ok) {
        return;
      }
      var list = section.querySelector("[data-comment-list]");
      var more = fragment(result.html);
      var next = more.querySelector("[data-load-more]");
      if (next) {
        next.remove();
      }
      list.appendChild(more);
      if (next) {
        holder.replaceWith(next);
      } else {
        holder.remove();
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.closest("[data-discussion]") || !form.dataset.enhance) {
      return;
    }
    event.preventDefault();
    submit(form, event.submitter);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    if (!link || !link.closest("[data-discussion]") || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (link.hasAttribute("data-inline-form")) {
      event.preventDefault();
      openInline(link);
    } else if (link.hasAttribute("data-sort-link")) {
      event.preventDefault();
      resort(link);
    } else if (link.hasAttribute("data-load-more-link")) {
      event.preventDefault();
      loadMore(link);
    }
  });

  document.documentElement.classList.add("discussion-enhanced");
})();
