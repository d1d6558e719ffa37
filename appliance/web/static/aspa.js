// Aspa's only script: live refresh over server-sent events, saved replies, confirmations.
// Served from 'self' (the Content-Security-Policy allows no inline script). Text from
// customers reaches the page only through the server's escaping templates or textContent.
"use strict";

(function () {
  const body = document.body;
  const live = body.dataset.live;

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  async function replaceFrom(url, target) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (live === "wallboard" && response.status === 403) {
      window.location.reload(); // an unpaired wall screen: the page says so
    } else if (response.redirected || response.status === 401) {
      window.location.assign("/login");
    } else if (response.status === 200) {
      target.innerHTML = await response.text(); // server-rendered, every value escaped
      body.dataset.refreshed = String(Number(body.dataset.refreshed || "0") + 1);
    }
  }

  function notice(text) {
    const bar = document.getElementById("notice");
    if (bar) {
      bar.textContent = text;
      bar.hidden = false;
    }
  }

  const reloadSoon = debounce(function () {
    window.location.reload();
  }, 300);

  const handlers = {
    queue: debounce(function () {
      const rows = document.getElementById("queue-rows");
      replaceFrom("/queue/rows?" + (body.dataset.filter || ""), rows);
    }, 100),
    wallboard: debounce(function () {
      replaceFrom("/wallboard?part=body", document.getElementById("board"));
    }, 250),
    presence: function (data) {
      if (data.kind.startsWith("presence.")) reloadSoon();
    },
    ticket: function (data) {
      const id = Number(body.dataset.ticketId);
      if (data.kind === "viewers" && data.ticket_id === id) {
        refreshViewers();
      } else if (data.ticket_id === id && data.kind !== "viewers") {
        document.getElementById("changed").hidden = false;
      }
    },
  };

  async function refreshViewers() {
    const response = await fetch("/api/tickets/" + body.dataset.number, { credentials: "same-origin" });
    if (response.status !== 200) return;
    const data = await response.json();
    const line = document.getElementById("viewers");
    document.getElementById("viewer-names").textContent = data.viewers.join(", ");
    line.hidden = data.viewers.length === 0;
  }

  // The stream ends when the box restarts; the browser reconnects by itself (the
  // `retry:` field), but a failed reconnection (the box still starting, an error page)
  // closes it for good: then ask again every few seconds. Back, the page reloads what
  // it shows, since events were missed meanwhile. A wall screen that was unpaired
  // reloads into the page that says so.
  const RETRY_MS = 3000;

  async function comeBack() {
    const wall = live === "wallboard";
    let response;
    try {
      response = await fetch(wall ? "/wallboard?part=body" : "/api/stats", { credentials: "same-origin", headers: { Accept: wall ? "text/html" : "application/json" } });
    } catch (error) {
      setTimeout(comeBack, RETRY_MS); // the box is not answering yet
      return;
    }
    if (response.status === 200) {
      if (wall) {
        document.getElementById("board").innerHTML = await response.text(); // server-rendered, escaped
      } else if (live === "queue") {
        handlers.queue(); // events were missed meanwhile
      }
      openStream();
    } else if (response.status === 403 || response.status === 401 || response.redirected) {
      window.location.reload(); // unpaired, or the login ended: the page says which
    } else {
      setTimeout(comeBack, RETRY_MS);
    }
  }

  function openStream() {
    const url = live === "ticket" ? "/events?ticket=" + encodeURIComponent(body.dataset.ticketId) : "/events";
    const source = new EventSource(url);
    source.onmessage = function (message) {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (data.kind === "hello") {
        if (body.dataset.liveReady === "1" && live === "wallboard") handlers.wallboard(); // back: fresh figures
        body.dataset.liveReady = "1";
        body.dataset.connected = String(Number(body.dataset.connected || "0") + 1);
        return;
      }
      if (data.kind === "unpaired") {
        source.close();
        window.location.reload();
        return;
      }
      if (data.kind === "mention") {
        notice(body.dataset.mentionText + " #" + data.number + " (" + data.by + ")");
        return;
      }
      if (data.kind === "notified") {
        const said = {assigned: body.dataset.assignedText, sla_warning: body.dataset.slaWarningText,
                      sla_breach: body.dataset.slaBreachText}[data.notice];
        if (said) notice(said + " #" + data.number);
        return;
      }
      if (data.kind === "returned") {
        notice(body.dataset.returnedText + " #" + data.number);
        return;
      }
      body.dataset.lastEvent = data.kind;
      const handle = handlers[live];
      if (handle) handle(data);
    };
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) setTimeout(comeBack, RETRY_MS);
    };
  }

  if (live && window.EventSource) {
    openStream();
    if (live === "wallboard") setInterval(handlers.wallboard, 30000); // waits grow without events
  }

  // Saved replies on the ticket page: the picker's button inserts the chosen one at the
  // caret (without this script the button posts the draft and the page comes back with
  // it added); typing a shortcut such as "#thanks" and a space puts its text in its place.
  // The texts come filled in and escaped from the server; they go in as plain text.
  const replyBox = document.getElementById("reply-body");
  const picker = document.getElementById("saved-reply");
  const inserter = document.getElementById("saved-reply-insert");
  if (replyBox && (picker || document.getElementById("saved-reply-shortcuts"))) {
    const usedIds = document.getElementById("reply-saved-ids");
    const shortcuts = new Map();
    document.querySelectorAll("#saved-reply option").forEach(function (option) {
      if (option.dataset.shortcut) shortcuts.set(option.dataset.shortcut, { id: option.value, text: option.dataset.text });
    });
    document.querySelectorAll("#saved-reply-shortcuts li").forEach(function (item) {
      shortcuts.set(item.dataset.shortcut, { id: item.dataset.id, text: item.dataset.text });
    });

    const markUsed = function (id) {
      const ids = usedIds.value ? usedIds.value.split(",") : [];
      if (!ids.includes(id)) ids.push(id);
      usedIds.value = ids.join(",");
    };

    // Replace [start, end) of the box's text with `text`, leaving the caret after it.
    const put = function (start, end, text) {
      replyBox.setRangeText(text, start, end, "end");
    };

    if (inserter) {
      inserter.addEventListener("click", function (event) {
        event.preventDefault();
        const option = picker.selectedOptions[0];
        if (!option) return;
        const start = replyBox.selectionStart;
        const before = replyBox.value.slice(0, start);
        const gap = before && !before.endsWith("\n") ? "\n" : "";
        put(start, replyBox.selectionEnd, gap + option.dataset.text);
        markUsed(option.value);
        replyBox.focus();
      });
    }

    const typedShortcut = /(^|\s)(#[\p{L}\p{N}_-]+)(\s)$/u;
    replyBox.addEventListener("input", function (event) {
      if (event.inputType !== "insertText" && event.inputType !== "insertLineBreak") return;
      const caret = replyBox.selectionStart;
      const match = typedShortcut.exec(replyBox.value.slice(0, caret));
      if (!match) return;
      const found = shortcuts.get(match[2].toLowerCase());
      if (!found) return;
      const start = caret - match[2].length - match[3].length;
      put(start, caret, found.text + (match[3] === "\n" ? "\n" : ""));
      markUsed(found.id);
    });
  }

  document.addEventListener("submit", function (event) {
    const question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // The restart page: ask every second which start of the box answers; a new one means
  // the box is back (systemd started it again), so go back to the settings.
  const restarting = document.getElementById("restart-state");
  if (restarting) {
    const from = restarting.dataset.restartFrom;
    const poll = async function () {
      try {
        const response = await fetch("/admin/restart/state", {
          credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
        });
        if (response.ok && (await response.json()).boot !== from) {
          window.location.assign("/admin/settings?restarted=1");
          return;
        }
      } catch (error) {
        // the box is down for the moment: keep asking
      }
      setTimeout(poll, 1000);
    };
    setTimeout(poll, 1000);
  }

  // "/" anywhere but in a field goes to the search box in the header (as on GitHub).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const box = document.getElementById("search-box");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });
})();
