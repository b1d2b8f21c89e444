/* The live queue: htmx replaces #queue every few seconds (hx-trigger on #queue), asking for the
 * URL the queue was drawn from, so the filters, the search and the page stay as they were.
 * The filter form and the page links replace #queue too and put their URL in the address bar.
 *
 * If the session has ended, the refresh is redirected to the sign-in page: go there rather than
 * pasting the sign-in form into the queue. If a refresh fails, the last table stays, and its
 * "Updated" line says so, in the words the page gave it translated (data-failed-text).
 *
 * Each refresh names the emergencies waiting (data-emergency-ids on #queue, whatever the filters
 * or the page). One it names that the last did not is news: its sentence (data-emergency-news)
 * goes into #queue-announcer, an assertive live region outside the polled part, and screen
 * readers say it once; a refresh with no new emergency leaves the region alone. The tab's title
 * comes with each refresh too (htmx sets it from the response's <title>).
 *
 * Keyboard focus stays where it was across a refresh: every link and button in a row has an id
 * made of its case's id, and htmx focuses the element with the same id after the swap.
 */
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "queue") {
      return;
    }
    var xhr = event.detail.xhr;
    var wanted = target.getAttribute("hx-get");
    if (xhr && xhr.responseURL && wanted &&
        new URL(xhr.responseURL).pathname !== new URL(wanted, window.location.href).pathname) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    }
  });
  // The banner of problems (health/) comes with every refresh, out of band. The same words again
  // are left as they are: a screen reader would read a replaced alert out every 4 seconds.
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "health-banner") {
      return;
    }
    var incoming = document.createElement("div");
    incoming.appendChild(event.detail.fragment.cloneNode(true));
    if (incoming.innerHTML.trim() === target.innerHTML.trim()) {
      event.detail.shouldSwap = false;
    }
  });
  function emergencyIds(queue) {
    return queue ? (queue.getAttribute("data-emergency-ids") || "").split(/\s+/).filter(Boolean) : [];
  }
  var knownEmergencies = emergencyIds(document.getElementById("queue"));
  document.body.addEventListener("htmx:afterSettle", function () {
    var queue = document.getElementById("queue");
    if (!queue) {
      return;
    }
    var ids = emergencyIds(queue);
    var isNew = ids.some(function (id) { return knownEmergencies.indexOf(id) === -1; });
    knownEmergencies = ids;
    var announcer = document.getElementById("queue-announcer");
    if (!isNew || !announcer) {
      return;
    }
    var news = queue.getAttribute("data-emergency-news") || "";
    if (announcer.textContent === news) {
      // The same words as last time are not read again unless the region changes first.
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = news; }, 150);
    } else {
      announcer.textContent = news;
    }
  });
  document.body.addEventListener("htmx:responseError", function () {
    var stamp = document.getElementById("queue-updated");
    if (stamp) {
      stamp.classList.add("text-danger", "fw-semibold");
      // The words come translated from the page (data-failed-text), with the last refresh's time.
      stamp.textContent = stamp.getAttribute("data-failed-text") || stamp.textContent;
    }
  });
})();
