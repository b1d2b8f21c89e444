/* The reception intake form, improved when JavaScript runs; without it the form still works.
 *
 * - "How did the injury happen?" shows only after a Yes to the injury question (the server asks
 *   for it after a Yes, stores "none" after a No, and refuses an injury chosen beside a No).
 * - After a failed submit, focus moves to the error summary so the problems are read first.
 * - The submit button is disabled once pressed (the submission token already makes a second
 *   press harmless; this just saves the confusion).
 */
(function () {
  "use strict";

  function followInjuryQuestion(form) {
    var wrapper = form.querySelector("#div_id_trauma_mechanism");
    var radios = form.querySelectorAll('input[name="recent_significant_trauma"]');
    if (!wrapper || radios.length === 0) {
      return;
    }
    function sync() {
      var chosen = form.querySelector('input[name="recent_significant_trauma"]:checked');
      // An injury chosen after a "no" stays in sight: the server refuses the contradiction.
      var select = wrapper.querySelector("select");
      wrapper.hidden = !(chosen && chosen.value === "yes") && !(select && select.value);
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", sync);
    });
    sync();
  }

  function preventSecondSubmit(form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll('button[type="submit"]').forEach(function (button) {
        window.setTimeout(function () {
          button.disabled = true;
        }, 0);
      });
    });
  }

  function start() {
    var form = document.getElementById("intake-form");
    if (!form) {
      return;
    }
    followInjuryQuestion(form);
    preventSecondSubmit(form);
    var summary = document.getElementById("error-summary") || document.getElementById("confirm-patient");
    if (summary) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
