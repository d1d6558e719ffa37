// The SMS part count shown before a text goes (a reply, the texts to callers on the settings
// page): the same split the modem sends, as appliance.gsm.sms_split.part_count counts it.
"use strict";

(function () {
  // 3GPP TS 23.038 §6.2.1: the GSM 7-bit default alphabet, and the extension table whose
  // characters take two septets (the same tables as appliance/gsm/gsm7.py).
  const GSM7_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const GSM7_EXTENSION = "\f^{}\\[~]|€";

  // (alphabet, parts, units) as appliance.gsm.sms_split.part_count counts them.
  window.aspaSmsParts = function (text) {
    const chars = Array.from(text);
    let gsm7 = true;
    const sizes = [];
    for (const ch of chars) {
      if (GSM7_BASIC.includes(ch)) sizes.push(1);
      else if (GSM7_EXTENSION.includes(ch)) sizes.push(2);
      else { gsm7 = false; break; }
    }
    let single = 160, perPart = 153;
    if (!gsm7) {
      sizes.length = 0;
      for (const ch of chars) sizes.push(ch.codePointAt(0) > 0xffff ? 2 : 1);
      single = 70; perPart = 67;
    }
    const units = sizes.reduce((a, b) => a + b, 0);
    if (units <= single) return { alphabet: gsm7 ? "gsm7" : "ucs2", parts: units ? 1 : 0, units };
    let parts = 1, used = 0;
    for (const size of sizes) {
      if (used + size > perPart) { parts += 1; used = 0; }
      used += size;
    }
    return { alphabet: gsm7 ? "gsm7" : "ucs2", parts, units };
  };
})();
