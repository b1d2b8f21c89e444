// The patient's pages: small progressive enhancements; every form works without them.
(function () {
  "use strict";

  // Preselect the device's time zone when the patient has not chosen one yet.
  var form = document.querySelector("form[data-suggest-time-zone]");
  if (form && window.Intl && Intl.DateTimeFormat) {
    var select = form.querySelector("select[data-time-zone]");
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (select && zone && select.value !== zone) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
      if (option) {
        select.value = zone;
        var hint = document.getElementById("time-zone-hint");
        if (hint) { hint.classList.remove("d-none"); }
      }
    }
  }

  // The accident question: ask how it happened only after a yes.
  var mechanism = document.getElementById("trauma-mechanism");
  if (mechanism) {
    var radios = document.querySelectorAll("input[name='recent_significant_trauma']");
    var sync = function () {
      var yes = document.querySelector("input[name='recent_significant_trauma'][value='yes']");
      mechanism.hidden = !(yes && yes.checked);
    };
    Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", sync); });
    sync();
  }
})();
