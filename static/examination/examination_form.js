/* The examination form, improved when JavaScript runs; without it the form still works.
 *
 * - Each section's buttons ("Unanswered: not tested", "Unanswered: 5 normal", ...) answer only
 *   the questions of that part still unanswered, with that value: the clinician's choice, made
 *   once for the rest, never a default the page supplies.
 * - The submit button is disabled once pressed (the submission token already makes a second
 *   press harmless).
 */
(function () {
  "use strict";

  function scopeOf(button) {
    var holder = button.closest("[data-fill-key]");
    var section = button.closest("details, section");
    if (holder) {
      var name = holder.getAttribute("data-fill-key");
      return Array.prototype.slice.call(
        section.querySelectorAll('[data-fill-key="' + name + '"]')
      );
    }
    return [section];
  }

  function fill(button) {
    var value = button.getAttribute("data-fill");
    var pain = button.getAttribute("data-fill-pain");
    scopeOf(button).forEach(function (scope) {
      scope.querySelectorAll("select").forEach(function (select) {
        if (select.value === "" && select.querySelector('option[value="' + value + '"]')) {
          select.value = value;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      scope.querySelectorAll("fieldset.exam-choice").forEach(function (group) {
        if (group.querySelector("input:checked")) {
          return;
        }
        var name = (group.querySelector("input") || {}).name || "";
        var wanted = name.endsWith("__pain") ? pain : value;
        if (name.endsWith("__pain")) {
          var row = group.closest("tr");
          var how = row ? row.querySelector("select") : null;
          if (!how || how.value === "not_tested" || how.value === "") {
            return;
          }
        }
        var radio = wanted && group.querySelector('input[value="' + wanted + '"]');
        if (radio) {
          radio.checked = true;
        }
      });
    });
  }

  function start() {
    var form = document.getElementById("examination-form");
    if (!form) {
      return;
    }
    form.querySelectorAll("button.exam-fill").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        fill(button);
      });
    });
    form.addEventListener("submit", function () {
      form.querySelectorAll('button[type="submit"]').forEach(function (button) {
        window.setTimeout(function () {
          button.disabled = true;
        }, 0);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
