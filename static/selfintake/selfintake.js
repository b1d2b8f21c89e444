// The self-intake's one enhancement; every step works without it (an ordinary form POST).
(function () {
  "use strict";

  // "How did it happen?" shows as soon as the patient answers yes to the injury question (without
  // this script it comes back after they send the step), and says it was on the screen.
  var mechanism = document.getElementById("trauma-mechanism");
  if (mechanism) {
    var shown = mechanism.querySelector("[data-mechanism-shown]");
    var sync = function () {
      var yes = document.querySelector("input[name='recent_significant_trauma'][value='yes']");
      var on = !!(yes && yes.checked);
      mechanism.hidden = !on;
      if (shown && on) { shown.value = "1"; }
    };
    Array.prototype.forEach.call(
      document.querySelectorAll("input[name='recent_significant_trauma']"),
      function (radio) { radio.addEventListener("change", sync); }
    );
    sync();
  }

  // The send button says it is sending and is not pressed twice (the server makes one intake
  // whatever happens; this only spares the patient a second wait).
  Array.prototype.forEach.call(document.querySelectorAll("[data-send-once]"), function (button) {
    button.form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
