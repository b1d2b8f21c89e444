/* The error summary of a refused form (templates/clinic/error_summary.html, the GOV.UK design
 * system's pattern), on every page that has one.
 *
 * - When the page loads, focus moves to the summary, so "There is a problem" and the list are
 *   read (and seen) first.
 * - Each link puts focus on the input it names (a radio or checkbox group's first option), with
 *   the question's label or legend scrolled into view above it. The page's scroll-padding
 *   (clinic.css) keeps it clear of the sticky navigation and of any sticky submit bar.
 * Without JavaScript the links are ordinary in-page links to the same inputs.
 */
(function () {
  "use strict";

  // What to bring into view for an input: its question (crispy's wrapper holds the label or
  // legend, the input and its message), so the person reads what is asked.
  function questionOf(input) {
    var wrapper = input.closest('[id^="div_id_"]');
    if (wrapper) {
      return wrapper;
    }
    var label = input.id ? document.querySelector('label[for="' + CSS.escape(input.id) + '"]') : null;
    if (label) {
      return label;
    }
    return input.closest("fieldset") || input;
  }

  function focusField(id) {
    var input = document.getElementById(id);
    if (!input) {
      return false;
    }
    var hidden = input.closest("[hidden]");
    if (hidden) {
      hidden.hidden = false; // a question shown only after an answer, refused all the same
    }
    questionOf(input).scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
    return document.activeElement === input;
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (!link || !summary.contains(link)) {
        return;
      }
      if (focusField(decodeURIComponent(link.getAttribute("href").slice(1)))) {
        event.preventDefault();
      }
    });
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
