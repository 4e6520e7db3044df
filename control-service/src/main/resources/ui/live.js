// Keeps a Handoff page current without reloading it. The page names its server-sent event stream in
// <main data-live>; when the stream says "changed" (the ledger has new events for this page), the page is fetched
// again and the content of #live swapped for the new one. A form the person is using is never replaced under
// them: while a confirmation is open, a field has focus or holds something typed or ticked, the update waits and a
// note says so; it happens once they leave the form.
(function () {
  'use strict';
  var main = document.querySelector('main[data-live]');
  var live = document.getElementById('live');
  var note = document.getElementById('live-note');
  if (!main || !live || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var held = false; // newer content waits for the form to be left
  var again = false; // a change came while the page was being fetched
  var loading = false;

  function dirty(field) {
    if (field.type === 'hidden' || field.type === 'submit' || field.type === 'button') {
      return false;
    }
    if (field.type === 'checkbox' || field.type === 'radio') {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === 'SELECT') {
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].selected !== field.options[i].defaultSelected) {
          return true;
        }
      }
      return false;
    }
    return field.value !== field.defaultValue;
  }

  // Whether the person is in the middle of a form of the page.
  function engaged() {
    if (live.querySelector('details[open]')) {
      return true;
    }
    var active = document.activeElement;
    if (active && active.closest && active.closest('#live form') && active.tagName !== 'BUTTON') {
      return true;
    }
    var fields = live.querySelectorAll('form input, form textarea, form select');
    for (var i = 0; i < fields.length; i++) {
      if (dirty(fields[i])) {
        return true;
      }
    }
    return false;
  }

  // What the page shows, leaving out what changes on every rendering (running durations, forms' one-time keys).
  function signature(root) {
    var copy = root.cloneNode(true);
    copy.querySelectorAll('[data-volatile]').forEach(function (e) {
      e.remove();
    });
    return copy.innerHTML;
  }

  function hold(waiting) {
    held = waiting;
    note.hidden = !waiting;
  }

  // Fetches the page; swaps its content in when it shows something new, or holds it while a form is in use.
  function update() {
    if (loading) {
      again = true;
      return;
    }
    again = false;
    loading = true;
    fetch(window.location.href, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: {Accept: 'text/html', 'X-Handoff-Live': '1'}
    })
      .then(function (response) {
        if (response.redirected && new URL(response.url).pathname === '/ui/login') {
          window.location.assign(response.url);
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        var content = fresh.getElementById('live');
        if (!content) {
          return;
        }
        if (signature(content) === signature(live)) {
          // nothing new to show (nor left of an update held before)
          hold(false);
          return;
        }
        if (engaged()) {
          hold(true);
          return;
        }
        live.innerHTML = content.innerHTML;
        document.title = fresh.title;
        hold(false);
        main.setAttribute('data-updated', String(Date.now()));
      })
      .catch(function () {
        // the next event tries again
      })
      .finally(function () {
        loading = false;
        if (again) {
          update();
        }
      });
  }

  function retryWhenFree() {
    window.setTimeout(function () {
      if (held && !loading && !engaged()) {
        update();
      }
    }, 0);
  }

  ['focusout', 'input', 'change'].forEach(function (type) {
    document.addEventListener(type, retryWhenFree);
  });
  // toggle (a confirmation closed) does not bubble: listen while it goes down
  document.addEventListener('toggle', retryWhenFree, true);

  function connect() {
    var source = new EventSource(main.getAttribute('data-live'));
    // events may have come between rendering the page and opening the stream, or while it was down
    source.addEventListener('ready', update);
    source.addEventListener('changed', update);
    source.onerror = function () {
      // the browser reconnects by itself after a dropped connection; a refusal (503, 401) closes the stream for good
      if (source.readyState === EventSource.CLOSED) {
        window.setTimeout(connect, 30000);
      }
    };
  }
  connect();
})();
