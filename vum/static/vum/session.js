/* The session warning (templates/accounts/session_warning.html; vum.accounts.middleware).
 *
 * The server ends a session SESSION_IDLE_MINUTES after its last request and SESSION_ABSOLUTE_HOURS
 * after login. This shows a notice SESSION_WARNING_MINUTES before either: for inactivity with a
 * "Forbliv logget ind" button (an htmx request, which is activity), for the absolute end with
 * advice to save. A page load or an htmx request counts as activity, in this tab or another one
 * (shared through localStorage), so that a tab left open does not warn while another is in use.
 * When the time has run out the page is left as it is, so the user can copy what they typed.
 *
 * A file, not an inline script: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  var box = document.getElementById("session-advarsel");
  if (!box) {
    return;
  }
  var announcer = document.getElementById("session-advarsel-besked");
  var text = box.querySelector("[data-session-text]");
  var extend = box.querySelector("[data-session-extend]");
  var login = box.querySelector("[data-session-login]");
  var idleMs = Number(box.dataset.idleSeconds) * 1000;
  var warningMs = Number(box.dataset.warningSeconds) * 1000;
  var absoluteEnd = Date.now() + Number(box.dataset.absoluteSeconds) * 1000;
  var STORAGE_KEY = "vum:sidste-aktivitet";
  var lastActivity = Date.now();
  var shown = "";

  function clock(ms) {
    return new Date(ms).toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit" });
  }

  function show(state, message) {
    if (state === shown) {
      return;
    }
    var hadFocus = box.contains(document.activeElement);
    shown = state;
    if (state === "") {
      box.hidden = true;
      announcer.textContent = "";
      if (hadFocus) {
        // The button that had focus is gone: give it back to the page, not to nowhere.
        var main = document.getElementById("indhold");
        if (main) {
          main.focus();
        }
      }
      return;
    }
    text.textContent = message;
    extend.hidden = state !== "idle";
    login.hidden = state !== "ended";
    box.hidden = false;
    announcer.textContent = message;
  }

  function update() {
    var now = Date.now();
    var idleEnd = lastActivity + idleMs;
    var end = Math.min(idleEnd, absoluteEnd);
    if (now >= end) {
      show("ended", box.dataset.textEnded);
    } else if (end - now <= warningMs) {
      var state = absoluteEnd <= idleEnd ? "absolute" : "idle";
      var template = state === "idle" ? box.dataset.textIdle : box.dataset.textAbsolute;
      show(state, template.replace("{tid}", clock(end)));
    } else {
      show("", "");
    }
  }

  function activity(at) {
    if (at > lastActivity) {
      lastActivity = at;
    }
    update();
  }

  function ownActivity() {
    var now = Date.now();
    try {
      localStorage.setItem(STORAGE_KEY, String(now));
    } catch (e) {
      // No storage (private browsing, blocked): the warning counts this tab's activity only.
    }
    activity(now);
  }

  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY && event.newValue) {
      activity(Number(event.newValue));
    }
  });
  // Any htmx request the server answered reached the session and counted as activity there.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status > 0 && !xhr.getResponseHeader("HX-Redirect")) {
      ownActivity();
    }
  });
  // Timers are slowed in a background tab: look again when it comes back.
  document.addEventListener("visibilitychange", update);

  ownActivity();
  window.setInterval(update, 10000);
})();
