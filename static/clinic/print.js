/* A "Print" button (data-print) prints the page. It is hidden until this script runs, so a
 * page without JavaScript offers no button that does nothing. (A script file, not onclick="":
 * the Content-Security-Policy runs no inline script.)
 */
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
    button.hidden = false;
  });
})();
