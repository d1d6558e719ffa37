"""Why an announcement was refused, said in the person's language and naming their file."""

from __future__ import annotations

from appliance.media.prompt_import import ACCEPTED, MAX_PROMPT_SECONDS, MAX_UPLOAD_BYTES
from appliance.web.frame.i18n import Translate

# PromptFileError.kind → the sentence (English key of the catalogues); {file} is the upload's
# name as the person's computer called it, {formats} and the limits are the box's own.
REASONS = {
    "missing_tool": "{file}: the box cannot convert sound files now (SoX is missing); "
                    "the announcement was not changed.",
    "unreadable": "{file}: the file could not be read; the announcement was not changed.",
    "empty": "{file}: the file is empty; the announcement was not changed.",
    "too_large": "{file}: the file is too large (at most {megabytes} MB); the announcement "
                 "was not changed.",
    "not_sound": "{file}: this is not a sound file the box can read; save it as {formats}. "
                 "The announcement was not changed.",
    "too_long": "{file}: the sound is too long (at most {minutes} minutes); the announcement "
                "was not changed.",
    "not_converted": "{file}: the sound could not be converted; save it as {formats}. The "
                     "announcement was not changed.",
    "silent": "{file}: the file holds no sound; the announcement was not changed.",
    "slow": "{file}: converting took too long; try a shorter file. The announcement was not "
            "changed.",
    "unusable": "{file}: the file could not be used; the announcement was not changed.",
}
NO_FILE = "Choose a sound file to upload."
NO_TEXT = "Type the sentence to be spoken."
TEXT_TOO_LONG = "The sentence is too long: at most {chars} characters."
NOT_SPOKEN = "The speech engine could not say it ({detail}); the announcement was not changed."


def refusal(t: Translate, kind: str, filename: str) -> str:
    """The sentence for a refused upload of `filename`, in the language of `t`."""
    return t(REASONS.get(kind, REASONS["unusable"]), file=filename or "?",
             megabytes=MAX_UPLOAD_BYTES // (1024 * 1024), minutes=int(MAX_PROMPT_SECONDS // 60),
             formats=t(ACCEPTED))
