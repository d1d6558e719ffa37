// The ticket page's reply form: the SMS part counter (sms_parts.js counts), "reply to all",
// and the file caps checked before a large upload starts (the server checks again and says
// the same).
"use strict";

(function () {
  function inMb(size) {
    return String(Math.round(size / 1048576 * 10) / 10);  // as the server writes it: 10, 0.1
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function setUp() {
    const form = document.getElementById("reply-form");
    if (!form) return;
    const body = document.getElementById("reply-body");
    const channel = document.getElementById("reply-channel");
    const counter = document.getElementById("sms-count");
    const mailOnly = form.querySelector(".mail-only");
    const files = document.getElementById("reply-files");
    const problem = document.getElementById("reply-files-problem");
    const replyAll = document.getElementById("reply-all");
    const cc = document.getElementById("reply-cc");

    function showCount() {
      const sms = channel.value === "sms";
      counter.hidden = !sms;
      mailOnly.hidden = sms;
      if (!sms) return;
      const count = window.aspaSmsParts(body.value);
      const text = count.alphabet === "gsm7" ? counter.dataset.gsm7Text : counter.dataset.ucs2Text;
      counter.textContent = fill(text, { characters: count.units, parts: count.parts });
    }

    function fileProblem() {
      const perFile = Number(form.dataset.maxFile);
      const perReply = Number(form.dataset.maxTotal);
      let total = 0;
      for (const file of files.files) {
        if (file.size > perFile) {
          return fill(form.dataset.tooLargeText,
                      { name: file.name, limit: inMb(perFile) });
        }
        total += file.size;
        if (total > perReply) {
          return fill(form.dataset.tooLargeTotalText,
                      { name: file.name, limit: inMb(perReply) });
        }
      }
      return "";
    }

    function showFileProblem() {
      const text = channel.value === "sms" ? "" : fileProblem();
      problem.textContent = text;
      problem.hidden = !text;
      return text;
    }

    body.addEventListener("input", showCount);
    channel.addEventListener("change", showCount);
    files.addEventListener("change", showFileProblem);
    form.addEventListener("submit", function (event) {
      if (showFileProblem()) event.preventDefault();  // the typed text stays as it is
    });
    if (replyAll) {
      replyAll.addEventListener("click", function () {
        const have = cc.value.split(/[,;]/).map((a) => a.trim()).filter(Boolean);
        const lower = have.map((a) => a.toLowerCase());
        for (const address of replyAll.dataset.cc.split(",").map((a) => a.trim())) {
          if (address && !lower.includes(address.toLowerCase())) have.push(address);
        }
        cc.value = have.join(", ");
      });
    }
    showCount();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
