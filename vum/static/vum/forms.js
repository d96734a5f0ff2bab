/* Unsaved work in forms: nothing typed is lost by saving another section, by a failed save, by a
 * session that ended, or by leaving the page by mistake.
 *
 * - Drafts: what the user types in a form that writes (method="post") is kept in this tab's
 *   sessionStorage, by page and form, until that form is sent. When the page is shown again (after
 *   another section's full-page save, a reload, or coming back to it) the text is put back and a
 *   notice says so, with a button to throw it away. Logging out removes every draft.
 * - A full-page form sent when the session had ended goes to the login page; its text is kept and
 *   put back when the user comes back to the page after logging in (and only then: a form that was
 *   saved is not filled in again).
 * - A page shown by a failed save puts the form's own page in the address bar (data-form-page on
 *   <body>), so that reloading shows the page again, with the text kept as a draft.
 * - Leaving a page with unsaved changes asks first (the browser's own question).
 * - An in-place (htmx) save whose session has ended (401 from vum.accounts.middleware) is not
 *   swapped in: a dialog asks the user to log in again in a new tab, then to send again. The CSRF
 *   token, renewed by that login, is read from its cookie when sending.
 * - Focus follows the user's action: after a failed full-page save to the error summary, after an
 *   in-place save to its result (the error summary or message in the new section).
 *
 * A file, not an inline script: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  var PREFIX = "vum:kladde:";
  var SENT = "vum:kladde-sendt";
  var VERSION = " version";
  // Fields that belong to one rendering of a form, never to what the user typed.
  var NOT_TYPED = { csrfmiddlewaretoken: true, form_token: true, version: true, next: true };
  var leaving = false;

  function store() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null;
    }
  }

  function read(key) {
    var s = store();
    if (!s) {
      return null;
    }
    try {
      return JSON.parse(s.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function write(key, value) {
    var s = store();
    if (!s) {
      return;
    }
    try {
      if (value === null) {
        s.removeItem(key);
      } else {
        s.setItem(key, JSON.stringify(value));
      }
    } catch (e) {
      /* Storage full or refused: the page still works, only without drafts. */
    }
  }

  function writes(form) {
    return (
      form instanceof HTMLFormElement &&
      (form.getAttribute("method") || "").toLowerCase() === "post" &&
      !form.hasAttribute("data-no-draft")
    );
  }

  function formKey(form) {
    var action = form.getAttribute("action") || "";
    var index = 0;
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length && forms[i] !== form; i++) {
      if ((forms[i].getAttribute("action") || "") === action) {
        index++;
      }
    }
    return action + "|" + index;
  }

  function typedFields(form) {
    var out = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      var type = (el.type || "").toLowerCase();
      if (!el.name || NOT_TYPED[el.name] || el.disabled) {
        continue;
      }
      if (type === "hidden" || type === "password" || type === "file" || type === "submit" || type === "button") {
        continue;
      }
      out.push(el);
    }
    return out;
  }

  function isChanged(el) {
    var type = (el.type || "").toLowerCase();
    if (type === "checkbox" || type === "radio") {
      return el.checked !== el.defaultChecked;
    }
    if (el.tagName === "SELECT") {
      var anyDefault = Array.prototype.some.call(el.options, function (o) { return o.defaultSelected; });
      for (var i = 0; i < el.options.length; i++) {
        // A single choice with none marked selected shows its first option: that is unchanged.
        var initial = anyDefault || el.multiple ? el.options[i].defaultSelected : i === 0;
        if (el.options[i].selected !== initial) {
          return true;
        }
      }
      return false;
    }
    return el.value !== el.defaultValue;
  }

  function valuesOf(form, onlyChanged) {
    var values = {};
    var any = false;
    typedFields(form).forEach(function (el) {
      var type = (el.type || "").toLowerCase();
      var key = el.name;
      if (onlyChanged && !isChanged(el)) {
        return;
      }
      any = true;
      if (type === "checkbox" || type === "radio") {
        values[key] = values[key] || { checked: [] };
        values[key].seen = true;
        if (el.checked) {
          values[key].checked.push(el.value);
        }
      } else if (el.tagName === "SELECT" && el.multiple) {
        values[key] = {
          checked: Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; })
        };
      } else {
        values[key] = el.value;
      }
    });
    if (any && form.elements.namedItem("version")) {
      // The version the text was typed against: a draft put back over someone else's newer save
      // is then refused as stale (with both shown), not saved over it.
      values[VERSION] = form.elements.namedItem("version").value;
    }
    return any ? values : null;
  }

  function pageDrafts() {
    return read(PREFIX + location.pathname) || {};
  }

  function saveDraft(form, values) {
    var drafts = pageDrafts();
    if (values) {
      drafts[formKey(form)] = values;
    } else {
      delete drafts[formKey(form)];
    }
    write(PREFIX + location.pathname, Object.keys(drafts).length ? drafts : null);
  }

  function fill(form, values) {
    var changed = false;
    var version = form.elements.namedItem("version");
    if (version && typeof values[VERSION] === "string") {
      version.value = values[VERSION];
    }
    typedFields(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(values, el.name)) {
        return;
      }
      var value = values[el.name];
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        var on = value && value.checked ? value.checked.indexOf(el.value) !== -1 : false;
        if (el.checked !== on) {
          el.checked = on;
          changed = true;
        }
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          var on = value && value.checked ? value.checked.indexOf(o.value) !== -1 : false;
          if (o.selected !== on) {
            o.selected = on;
            changed = true;
          }
        });
      } else if (typeof value === "string" && el.value !== value) {
        if (el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === value; })) {
          return; // The choice is no longer offered.
        }
        el.value = value;
        changed = true;
      }
    });
    return changed;
  }

  function notice(form) {
    if (form.querySelector("[data-draft-notice]")) {
      return;
    }
    var box = document.createElement("div");
    box.className = "alert draft-notice";
    box.setAttribute("data-draft-notice", "");
    var text = document.createElement("p");
    text.textContent = "Tekst, du ikke havde gemt, er sat ind igen. Den er ikke gemt endnu.";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button--secondary button--small";
    discard.textContent = "Fjern den ikke-gemte tekst";
    discard.addEventListener("click", function () {
      form.reset();
      saveDraft(form, null);
      box.remove();
      var first = typedFields(form)[0];
      if (first) {
        first.focus();
      }
    });
    box.appendChild(text);
    box.appendChild(discard);
    form.insertBefore(box, form.firstChild);
  }

  function restore() {
    var drafts = pageDrafts();
    var forms = document.querySelectorAll("form");
    var kept = {};
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (!writes(form)) {
        continue;
      }
      var key = formKey(form);
      if (!drafts[key]) {
        continue;
      }
      kept[key] = drafts[key];
      if (fill(form, drafts[key])) {
        notice(form);
      }
    }
    // Drafts of forms no longer on the page (a section that closed) are dropped.
    write(PREFIX + location.pathname, Object.keys(kept).length ? kept : null);
  }

  function hasErrors(form) {
    return !!form.querySelector("[data-error-summary], .field--error");
  }

  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function freshCsrf() {
    // Logging in again (in another tab) gives a new token; the page's own copy is then stale.
    var token = csrfCookie();
    if (!token) {
      return;
    }
    var inputs = document.querySelectorAll("input[name=csrfmiddlewaretoken]");
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].value = token;
    }
  }

  function anyUnsaved() {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      if (writes(forms[i]) && !forms[i].hasAttribute("data-no-unsaved-warning") && valuesOf(forms[i], true)) {
        return true;
      }
    }
    return false;
  }

  function focusResult(container) {
    if (!container) {
      return;
    }
    var target = container.querySelector("[data-error-summary], .alert, [role=status]:not(:empty)") || container;
    if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  // --- On load ---------------------------------------------------------------------------------

  function start() {
    var body = document.body;
    var formPage = body.getAttribute("data-form-page");
    if (formPage && formPage.charAt(0) === "/" && formPage !== location.pathname + location.search) {
      history.replaceState(history.state, "", formPage + location.hash);
    }

    var sent = read(SENT);
    if (body.hasAttribute("data-login-page")) {
      // A form sent when the session had ended came here: keep its text for the way back.
      if (sent) {
        sent.interrupted = true;
        write(SENT, sent);
      }
    } else if (sent) {
      write(SENT, null);
      if (sent.interrupted && sent.path === location.pathname) {
        var drafts = pageDrafts();
        drafts[sent.form] = sent.values;
        write(PREFIX + location.pathname, drafts);
      }
    }

    // A failed save shows the form with what was sent: that is the draft now.
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      if (writes(forms[i]) && hasErrors(forms[i])) {
        saveDraft(forms[i], valuesOf(forms[i], false));
      }
    }
    restore();

    var summary = document.querySelector("main [data-error-summary]");
    if (summary && formPage) {
      summary.focus();
    }
  }

  // --- While the user works -------------------------------------------------------------------

  function onEdit(event) {
    var form = event.target && event.target.form;
    if (form && writes(form)) {
      saveDraft(form, valuesOf(form, true));
    }
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      // What cannot be undone is confirmed first (data-confirm on the button that sends it).
      var asking = event.submitter && event.submitter.getAttribute("data-confirm");
      if (asking && !window.confirm(asking)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      if (!writes(form)) {
        return;
      }
      freshCsrf();
      if (form.hasAttribute("data-logout")) {
        clearAll();
        return;
      }
      if (form.hasAttribute("hx-post") || document.body.hasAttribute("data-login-page")) {
        // In place: its draft goes when the save has been answered (below). On the login page:
        // the form sent before it is the one waiting for the way back.
        return;
      }
      leaving = true;
      write(SENT, { path: location.pathname, form: formKey(form), values: valuesOf(form, true) || {} });
      saveDraft(form, null);
    },
    true
  );

  function clearAll() {
    var s = store();
    if (!s) {
      return;
    }
    for (var i = s.length - 1; i >= 0; i--) {
      var key = s.key(i);
      if (key && (key.indexOf(PREFIX) === 0 || key === SENT)) {
        s.removeItem(key);
      }
    }
  }

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !anyUnsaved()) {
      return;
    }
    event.preventDefault();
    event.returnValue = "";
  });

  // --- In-place saves (htmx) ------------------------------------------------------------------

  var dialog = document.getElementById("log-ind-igen");
  var retry = null;

  document.addEventListener("htmx:confirm", freshCsrf);

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfCookie();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // Before the answer is swapped in: the form is still in the page (after an outerHTML swap of
  // its section, events on it no longer reach the document).
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    var elt = event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.form || elt.closest("form"));
    if (form && writes(form) && xhr && xhr.status >= 200 && xhr.status < 300) {
      // Answered: the section is replaced by what was saved (or its errors, with the text).
      saveDraft(form, null);
      // What depends on it (the button that moves the case on) reads itself again.
      refreshForward();
    }
  });

  // The end of a phase's page ("Videre i sagen", id="videre"): read again after each in-place
  // save. Only the answer to the latest reading is shown, put in place of the section as it is
  // then (saves can overlap, and an earlier answer may arrive last).
  var forwardReadings = 0;
  function refreshForward() {
    var section = document.getElementById("videre");
    var url = section && section.getAttribute("data-refresh-url");
    if (!url || !window.fetch) {
      return;
    }
    var reading = ++forwardReadings;
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        var current = document.getElementById("videre");
        if (html === null || reading !== forwardReadings || !current) {
          return;
        }
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var fresh = holder.firstElementChild;
        if (fresh) {
          current.replaceWith(fresh);
          if (window.htmx) {
            htmx.process(fresh);
          }
        } else {
          current.remove();
        }
      })
      .catch(function () {
        /* Offline or ended: the page's own reload shows it. */
      });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var elt = event.detail.elt;
    if (!xhr || xhr.status !== 401) {
      return;
    }
    if (!dialog) {
      return;
    }
    retry = elt;
    var link = dialog.querySelector("[data-login-link]");
    var url = xhr.getResponseHeader("X-Vum-Login-Url");
    if (link && url) {
      link.setAttribute("href", url);
    }
    dialog.querySelector("[data-dialog-status]").textContent = "";
    if (!dialog.open) {
      dialog.showModal();
    }
  });

  if (dialog) {
    dialog.querySelector("[data-close]").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      if (retry && document.body.contains(retry)) {
        retry.focus();
      }
    });
    dialog.querySelector("[data-resend]").addEventListener("click", function () {
      if (!retry || !document.body.contains(retry)) {
        dialog.close();
        return;
      }
      var elt = retry;
      dialog.querySelector("[data-dialog-status]").textContent = "Sender igen …";
      dialog.close();
      if (elt.tagName === "FORM") {
        if (elt.requestSubmit) {
          elt.requestSubmit();
        } else {
          htmx.trigger(elt, "submit");
        }
      } else {
        htmx.trigger(elt, "click");
      }
    });
  }

  // Focus follows the in-place save to its result.
  var lastTarget = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var selector = elt && elt.getAttribute && elt.getAttribute("hx-target");
    // A request without a target of its own (a section reading itself again) leaves the save's.
    if (selector && selector.charAt(0) === "#") {
      lastTarget = selector.slice(1);
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // The server may answer elsewhere (HX-Retarget: the error summary of a form spread over
    // the page's sections): the focus goes there.
    var retarget = event.detail.xhr && event.detail.xhr.getResponseHeader("HX-Retarget");
    if (retarget && retarget.charAt(0) === "#") {
      lastTarget = retarget.slice(1);
    }
  });
  // The answer of an in-place save, said again in the page's own live region (#meddelelse,
  // there from the start), which screen readers announce reliably.
  function announce(container) {
    var region = document.getElementById("meddelelse");
    var source = container && container.querySelector("[data-error-summary], [role=alert], [role=status]:not(:empty)");
    if (!region || !source) {
      return;
    }
    var text = source.textContent.replace(/\s+/g, " ").trim();
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }
  document.addEventListener("htmx:afterSettle", function () {
    if (!lastTarget) {
      return;
    }
    var container = document.getElementById(lastTarget);
    lastTarget = null;
    announce(container);
    // Only when the swap took the focus away: never from where the user has gone meanwhile.
    if (container && (!document.activeElement || document.activeElement === document.body)) {
      focusResult(container);
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
