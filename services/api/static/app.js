// Live countdown to acknowledgement deadlines: every element with data-deadline (ISO 8601).
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function fmt(ms) {
    var late = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var text = (d > 0 ? d + " д " : "") + pad(h) + ":" + pad(m) + ":" + pad(s % 60);
    return late ? "просрочен на " + text : "осталось " + text;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-deadline")) - now;
      el.textContent = fmt(left);
      el.classList.toggle("late", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 3600 * 1000);
    });
  }
  tick();
  setInterval(tick, 1000);
})();

// Date fields typed as дд.мм.гггг refuse a date before their data-not-before (ISO) themselves;
// the server refuses it too.
(function () {
  "use strict";
  function check(el) {
    var m = /^(\d{2})\.(\d{2})\.(\d{4})/.exec(el.value.trim());
    var limit = el.getAttribute("data-not-before");
    var typed = m ? m[3] + "-" + m[2] + "-" + m[1] : "";
    el.setCustomValidity(typed && typed < limit
      ? "Дата не может быть раньше " + limit.split("-").reverse().join(".") : "");
  }
  document.querySelectorAll("[data-not-before]").forEach(function (el) {
    el.addEventListener("input", function () { check(el); });
    check(el);
  });
})();
