// Aspa's only script: live refresh over server-sent events, saved replies, confirmations,
// relative times kept current and the presence switch in the header.
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

  // A keyboard user on a link of the refreshed part stays on the same link (the same
  // address, the same one of its kind) instead of being thrown back to the top.
  function focusInside(target) {
    const focused = document.activeElement;
    if (!focused || !target.contains(focused) || !focused.matches("a[href]")) return function () {};
    const href = focused.getAttribute("href");
    const same = function () {
      return Array.from(target.querySelectorAll("a[href]")).filter(function (a) { return a.getAttribute("href") === href; });
    };
    const index = same().indexOf(focused);
    return function () {
      const again = same()[index] || same()[0];
      if (again) again.focus();
    };
  }

  async function replaceFrom(url, target) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (live === "wallboard" && response.status === 403) {
      window.location.reload(); // an unpaired wall screen: the page says so
    } else if (response.redirected || response.status === 401) {
      window.location.assign("/login");
    } else if (response.status === 200) {
      const kept = focusInside(target);
      target.innerHTML = await response.text(); // server-rendered, every value escaped
      refreshTimes(target);
      kept();
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

  // Relative times ("5 min ago", "in 2 h"): the server wrote them in the person's language
  // (its catalogue texts are on <body>); each minute they are written again from each
  // <time data-relative>'s datetime, cut down to whole units as the server does. Times
  // further than DAYS_SHOWN days keep the date the server wrote.
  const relative = body.dataset.relativeTexts ? JSON.parse(body.dataset.relativeTexts) : null;
  const MINUTE = 60000, HOUR = 60 * MINUTE, DAY = 24 * HOUR, DAYS_SHOWN = 60;

  function relativeText(then, now) {
    const span = Math.abs(then - now);
    const ahead = then > now;
    let name, count;
    if (span < MINUTE) return relative.now;
    if (span < HOUR) { name = "min"; count = Math.floor(span / MINUTE); }
    else if (span < DAY) { name = "h"; count = Math.floor(span / HOUR); }
    else {
      count = Math.floor(span / DAY);
      if (count > DAYS_SHOWN) return null;
      name = count === 1 ? "day" : "days";
    }
    return relative[name + (ahead ? "_in" : "_ago")].replace("{count}", String(count));
  }

  function refreshTimes(root) {
    if (!relative || !root) return;
    const now = Date.now();
    root.querySelectorAll("time[data-relative]").forEach(function (element) {
      const then = Date.parse(element.getAttribute("datetime"));
      const text = isNaN(then) ? null : relativeText(then, now);
      if (text !== null && element.textContent !== text) element.textContent = text;
    });
  }

  if (relative) {
    refreshTimes(document); // a page from the queue's cache may have been written a while ago
    setInterval(function () { refreshTimes(document); }, MINUTE);
  }

  // The presence switch in the header follows a change made elsewhere (the desk button).
  function showMyPresence(data) {
    const form = document.getElementById("presence-switch");
    if (!form || !data.presence || String(data.agent_id) !== body.dataset.agentId) return;
    form.querySelectorAll("button[name=presence]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === data.presence ? "true" : "false");
    });
  }

  const reloadSoon = debounce(function () {
    window.location.reload();
  }, 300);

  const refreshRows = debounce(function () {
    const rows = document.getElementById("queue-rows");
    replaceFrom("/queue/rows?" + (body.dataset.filter || ""), rows);
  }, 100);

  const handlers = {
    queue: function (data) {
      // a call of this agent's ended, or its notes were saved: the list above the queue changes
      if (data.kind.startsWith("after_call.") && String(data.agent_id) === body.dataset.agent) {
        reloadSoon();
      } else {
        refreshRows();
      }
    },
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
      if (data.kind.startsWith("presence.")) showMyPresence(data);
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

  // How long each caller has waited, counted on from the time the server gave (m:ss).
  function showWaits() {
    const now = Date.now();
    for (const time of document.querySelectorAll("time.waited")) {
      const since = Date.parse(time.getAttribute("datetime"));
      if (Number.isNaN(since)) continue;
      const whole = Math.max(0, Math.floor((now - since) / 1000));
      const hours = Math.floor(whole / 3600);
      const minutes = Math.floor((whole % 3600) / 60);
      const seconds = String(whole % 60).padStart(2, "0");
      time.textContent = hours
        ? hours + ":" + String(minutes).padStart(2, "0") + ":" + seconds
        : minutes + ":" + seconds;
    }
  }
  if (live === "queue") {
    showWaits();
    setInterval(showWaits, 1000);
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
