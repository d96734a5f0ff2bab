/* The "Udskriv" button on the printable pages (templates/cases/udskrift_sag.html and
 * udskrift_journal.html): opens the browser's print dialog.
 *
 * The button is hidden until this runs, so that a page without script offers no button that
 * does nothing (the browser's own print, Ctrl+P, works either way).
 * A file, not an inline script: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
