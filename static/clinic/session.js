/* The warning before a session ends (clinic/sessions.py ends it on the server either way).
 *
 * <body> says how long a session may sit idle and how long it has left in all. Two minutes
 * before the earlier of the two, a warning appears (role="alertdialog", focus on its button);
 * "Stay signed in" asks the server for /accounts/keep-alive/, which counts as activity. Anything
 * else the user does through htmx counts too; the queue's own refresh (#queue polling) does not.
 * When the time is up the page reloads, and the server sends it to the sign-in page saying why.
 */
(function () {
  "use strict";
  var body = document.body;
  var idle = Number(body.dataset.sessionIdleSeconds);
  var idleLeft = Number(body.dataset.sessionIdleLeftSeconds);
  var remaining = Number(body.dataset.sessionRemainingSeconds);
  var warning = document.getElementById("session-warning");
  if (!idle || !warning) {
    return;
  }
  var WARN_BEFORE = 120 * 1000;
  var loaded = Date.now();
  var hardEnd = loaded + remaining * 1000;
  var idleEnd = loaded + idleLeft * 1000;
  var countdown = warning.querySelector("[data-session-countdown]");
  var button = warning.querySelector("[data-session-keep-alive]");

  function end() {
    return Math.min(idleEnd, hardEnd);
  }

  // The words come translated from the page (data-*-text on the warning), N standing for the number.
  function words(name, fallback, count) {
    return (warning.getAttribute(name) || fallback).replace("N", String(count));
  }

  function describe(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    if (seconds > 90) {
      return words("data-minutes-text", "N minutes", Math.ceil(seconds / 60));
    }
    if (seconds === 1) {
      return words("data-one-second-text", "1 second", 1);
    }
    return words("data-seconds-text", "N seconds", seconds);
  }

  function activity() {
    idleEnd = Date.now() + idle * 1000;
    if (!warning.hidden && idleEnd <= hardEnd) {
      warning.hidden = true;
    }
  }

  function tick() {
    var left = end() - Date.now();
    if (left <= 0) {
      window.location.reload();
      return;
    }
    if (left <= WARN_BEFORE) {
      countdown.textContent = describe(left);
      if (warning.hidden) {
        // Past the session's hard limit no request can extend it: no button to offer.
        button.hidden = hardEnd <= idleEnd;
        warning.hidden = false;
        (button.hidden ? warning : button).focus();
      }
    }
  }

  button.addEventListener("click", function () {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(body.dataset.sessionKeepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
      redirect: "manual"
    }).then(function (response) {
      if (response.status === 204) {
        activity();
      } else {
        window.location.reload();
      }
    }, function () {
      countdown.textContent = describe(end() - Date.now());
    });
  });

  body.addEventListener("htmx:afterRequest", function (event) {
    // As the server tells them apart: the request the polling element itself sends (its id
    // goes as HX-Trigger) is the refresh; any other is the user's.
    var elt = event.detail.elt;
    if (!elt || elt.id !== "queue") {
      activity();
    }
  });

  warning.setAttribute("tabindex", "-1");
  window.setInterval(tick, 1000);
})();
