/*
 * TPM Workspace: the app's only script, loaded with `defer` after htmx and SortableJS.
 * No inline script or inline event handler anywhere (the Content-Security-Policy forbids them):
 * behaviour hangs on data attributes. Conventions: docs/ui.md.
 */
(function () {
  "use strict";

  var htmx = window.htmx;
  if (!htmx) {
    return;
  }

  // --- htmx under a strict CSP -------------------------------------------------------------------
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  htmx.config.includeIndicatorStyles = false; // app.css ships .htmx-indicator
  htmx.config.selfRequestsOnly = true;
  // Settling copies these attributes from the old element onto its replacement: never `style`, which
  // SortableJS leaves on a dragged item and the Content-Security-Policy (style-src 'self') refuses.
  htmx.config.attributesToSettle = ["class", "width", "height"];
  // Views answer fragments to HX-Request: a history restore must fetch the whole page.
  htmx.config.historyRestoreAsHxRequest = false;
  // Swap 2xx, and the answers that carry a page fragment to show: 422 (the form with its errors),
  // 409 (conflict: the current state and why) and 412 (stale version: the current state).
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true },
    { code: "409", swap: true },
    { code: "412", swap: true },
    { code: "[45]..", swap: false, error: true },
    { code: "...", swap: false }
  ];
  var SWAPPED_ERRORS = [409, 412, 422];

  // --- CSRF: every htmx request carries the token of <meta name="csrf-token"> ------------------------
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // --- What went wrong, said in the live region #flash --------------------------------------------
  var flashTimer = null;

  function flash(text) {
    var region = document.getElementById("flash");
    if (!region) {
      return;
    }
    region.textContent = text;
    region.classList.add("flash--visible");
    window.clearTimeout(flashTimer);
    flashTimer = window.setTimeout(function () {
      region.classList.remove("flash--visible");
      flashTimer = window.setTimeout(function () {
        region.textContent = "";
      }, 300);
    }, 8000);
  }

  var STATUS_TEXT = {
    400: "The request was not understood. Reload the page and try again.",
    403: "Your role does not allow this (or the page expired: reload it).",
    404: "Not found: it may have been deleted or moved.",
    413: "That is too large to send.",
    429: "Too many requests: wait a moment and try again.",
    503: "The database is unavailable; try again in a moment."
  };

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    flash(STATUS_TEXT[status] || (status >= 500
      ? "Something went wrong on our side. Reload the page and try again."
      : "That did not work (error " + status + ")."));
  });

  document.addEventListener("htmx:sendError", function () {
    flash("The server could not be reached. Check your connection and try again.");
  });

  // After a 422, put the keyboard on the first field at fault.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      // After an outerHTML swap the target is detached: look in what replaced it (same id), if any.
      var target = event.detail.target;
      var scope = target.isConnected ? target : (target.id && document.getElementById(target.id)) || document;
      var invalid = scope.querySelector('[aria-invalid="true"]');
      if (invalid) {
        invalid.focus();
      }
    }
  });

  // --- Menus (<details class="menu">): close on Escape and on a click elsewhere ----------------------
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) {
        summary.focus();
      }
    });
  });

  // --- Sortable lists -----------------------------------------------------------------------------
  // <ul data-sortable data-move-url="…" data-list="now" data-group="lanes"
  //     data-move-target="#board" data-move-swap="outerHTML" data-handle=".drag-handle">
  //   <li data-id="12">…</li>
  // A drop POSTs item, after, before, list, from_list to data-move-url and swaps the answer into
  // data-move-target (default: the list itself, outerHTML). See docs/ui.md.
  var DRAGGABLE = "[data-id]";

  function neighbourId(item, direction) {
    var node = direction === "previous" ? item.previousElementSibling : item.nextElementSibling;
    while (node && !node.matches(DRAGGABLE)) {
      node = direction === "previous" ? node.previousElementSibling : node.nextElementSibling;
    }
    return node ? node.getAttribute("data-id") : "";
  }

  function revert(evt) {
    var siblings = Array.prototype.filter.call(evt.from.children, function (child) {
      return child !== evt.item && child.matches(DRAGGABLE);
    });
    evt.from.insertBefore(evt.item, siblings[evt.oldIndex] || null);
  }

  function onDrop(evt) {
    if (evt.from === evt.to && evt.oldIndex === evt.newIndex) {
      return;
    }
    var list = evt.to;
    var url = list.getAttribute("data-move-url") || evt.from.getAttribute("data-move-url");
    if (!url) {
      return;
    }
    var targetSelector = list.getAttribute("data-move-target");
    var target = targetSelector ? document.querySelector(targetSelector) : list;
    var sortables = [Sortable.get(evt.from), Sortable.get(list)];
    sortables.forEach(function (s) { if (s) { s.option("disabled", true); } });
    var settled = false;

    function finish(event) {
      if (settled) {
        return;
      }
      settled = true;
      list.removeEventListener("htmx:afterRequest", finish);
      list.removeEventListener("htmx:sendError", finish);
      var status = event.detail.xhr ? event.detail.xhr.status : 0;
      var swapped = event.type === "htmx:afterRequest" && (event.detail.successful || SWAPPED_ERRORS.indexOf(status) >= 0);
      if (!swapped) {
        revert(evt);
      }
      // Lists that were not replaced by the answer take drags again.
      sortables.forEach(function (s) { if (s && document.body.contains(s.el)) { s.option("disabled", false); } });
    }

    list.addEventListener("htmx:afterRequest", finish);
    list.addEventListener("htmx:sendError", finish);
    htmx.ajax("POST", url, {
      source: list,
      target: target || list,
      swap: list.getAttribute("data-move-swap") || "outerHTML",
      values: {
        item: evt.item.getAttribute("data-id"),
        after: neighbourId(evt.item, "previous"),
        before: neighbourId(evt.item, "next"),
        list: list.getAttribute("data-list") || "",
        from_list: evt.from.getAttribute("data-list") || ""
      }
    });
  }

  function initSortable(list) {
    if (!window.Sortable || Sortable.get(list)) {
      return;
    }
    Sortable.create(list, {
      group: list.getAttribute("data-group") || undefined,
      handle: list.getAttribute("data-handle") || undefined,
      draggable: DRAGGABLE,
      filter: "input, select, textarea, button, a, .no-drag",
      preventOnFilter: false,
      animation: 150,
      ghostClass: "sortable-ghost",
      chosenClass: "sortable-chosen",
      dragClass: "sortable-drag",
      onEnd: onDrop
    });
    list.classList.add("sortable-ready");
  }

  htmx.onLoad(function (root) {
    if (root.matches && root.matches("[data-sortable]")) {
      initSortable(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll("[data-sortable]").forEach(initSortable);
    }
  });
})();
