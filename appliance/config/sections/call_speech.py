"""The `[calls.speech]` section: what a caller hears, said by the box in Finnish and English.

Each sentence is spoken by the speech engine once, when the box starts or the
text changes, and kept; an office recording uploaded on the settings page
(under the data directory's prompts folder) replaces the spoken one.
"""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config.schema import non_empty, setting

SPOKEN_PROMPTS = ("greeting", "closed", "callback", "voicemail", "menu", "still_busy")


@dataclass(frozen=True)
class CallSpeechSettings:
    """The sentences of each announcement, per language."""

    greeting_fi: str = setting("Tervetuloa. Yhdistämme puhelunne asiakaspalvelijalle.",
                               "Greeting after answering (Finnish)", check=non_empty)
    greeting_en: str = setting("Welcome. We will connect you to an agent.",
                               "Greeting after answering (English)", check=non_empty)
    closed_fi: str = setting("Olemme nyt suljettu. Soitamme teille takaisin, kun avaamme.",
                             "Outside business hours (Finnish)", check=non_empty)
    closed_en: str = setting("We are closed now. We will call you back when we open.",
                             "Outside business hours (English)", check=non_empty)
    callback_fi: str = setting("Soitamme teille takaisin mahdollisimman pian. Kiitos soitosta.",
                               "When the call becomes a callback (Finnish)", check=non_empty)
    callback_en: str = setting("We will call you back as soon as we can. Thank you for calling.",
                               "When the call becomes a callback (English)", check=non_empty)
    voicemail_fi: str = setting("Jättäkää viesti äänimerkin jälkeen.",
                                "Before recording a message (Finnish)", check=non_empty)
    voicemail_en: str = setting("Please leave a message after the tone.",
                                "Before recording a message (English)", check=non_empty)
    menu_fi: str = setting("Jos haluatte, että soitamme takaisin, painakaa yksi. "
                           "Jättääksenne viestin painakaa kaksi.",
                           "The keypad menu while waiting (Finnish)", check=non_empty)
    menu_en: str = setting("To be called back, press one. To leave a message, press two.",
                           "The keypad menu while waiting (English)", check=non_empty)
    still_busy_fi: str = setting("Kaikki asiakaspalvelijamme ovat yhä varattuina. Painakaa "
                                 "yksi, niin soitamme takaisin, tai kaksi jättääksenne viestin.",
                                 "After the longest wait (Finnish)", check=non_empty)
    still_busy_en: str = setting("All our agents are still busy. Press one to be called back, "
                                 "or two to leave a message.",
                                 "After the longest wait (English)", check=non_empty)

    def text(self, prompt: str, language: str) -> str:
        """The sentence of `prompt` in `language` (English when the language is not known)."""
        key = f"{prompt}_{language if language in ('fi', 'en') else 'en'}"
        return str(getattr(self, key))
