// The settings page's texts to callers: each shows, as it is typed, how many characters and
// SMS parts it takes (sms_parts.js counts).
"use strict";

(function () {
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function setUp() {
    for (const field of document.querySelectorAll("textarea[data-sms-count]")) {
      const counter = document.getElementById(field.dataset.smsCount);
      if (!counter) continue;
      const show = function () {
        const count = window.aspaSmsParts(field.value);
        const text = count.alphabet === "gsm7" ? counter.dataset.gsm7Text
          : counter.dataset.ucs2Text;
        counter.textContent = fill(text, { characters: count.units, parts: count.parts });
      };
      field.addEventListener("input", show);
      show();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
