"""Schema step 11: saved replies and knowledge snippets, edited on the web page.

The three answers that were fixed in code before this step (Thanks, Solved, More
details) are seeded here in English and in Finnish, word for word, so nothing an
office used is lost. Frozen like the steps before: the table is defined here, not
taken from the live model (`appliance.store.models.SavedReply`). Never edit this
file once released.
"""

from __future__ import annotations

from datetime import UTC, datetime

import peewee as pw


class _V11(pw.Model):
    class Meta:
        legacy_table_names = False


class Agent(_V11):
    """Stand-in naming the existing table, so the foreign key points at it."""


class SavedReply(_V11):
    title = pw.CharField(max_length=200)
    body = pw.TextField()
    language = pw.CharField(max_length=8, default="any")
    shortcut = pw.CharField(max_length=40, null=True, unique=True)
    kind = pw.CharField(max_length=16, default="reply")
    usage_count = pw.IntegerField(default=0)
    edited_by = pw.ForeignKeyField(Agent, null=True, on_delete="SET NULL")
    edited_at = pw.DateTimeField()


V11_NEW_MODELS: tuple[type[pw.Model], ...] = (SavedReply,)

# (title, text, language, shortcut): the answers that were fixed in code until now
SEEDED: tuple[tuple[str, str, str, str], ...] = (
    ("Thanks", "Thank you for your message. We are looking into it and will get back to you "
     "soon.", "en", "#thanks"),
    ("Solved", "We have fixed this. Please let us know if anything is still wrong.", "en",
     "#solved"),
    ("More details", "Could you tell us a little more, e.g. when this happened and what you "
     "saw?", "en", "#details"),
    ("Kiitos", "Kiitos viestistäsi. Selvitämme asiaa ja palaamme asiaan pian.", "fi",
     "#kiitos"),
    ("Ratkaistu", "Korjasimme asian. Kerrothan, jos jokin on vielä vialla.", "fi",
     "#ratkaistu"),
    ("Lisätietoja", "Voisitko kertoa hieman lisää, esimerkiksi milloin tämä tapahtui ja mitä "
     "näit?", "fi", "#lisatietoja"),
)


def apply(db: pw.Database) -> None:
    """Create the saved replies' table and seed it with the answers fixed in code before."""
    with db.bind_ctx((Agent, *V11_NEW_MODELS), bind_refs=False, bind_backrefs=False):
        db.create_tables(V11_NEW_MODELS, safe=False)
        now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC
        for title, text, language, shortcut in SEEDED:
            SavedReply.create(title=title, body=text, language=language, shortcut=shortcut,
                              kind="reply", usage_count=0, edited_by=None, edited_at=now)
