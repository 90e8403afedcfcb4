"""HTTP API of the journal, by use-case: the teacher's journals and lessons (``journals``), writes
of marks, attendance, topics and period marks (``cells``: each with the version it was based on; a
stale one answers 409 with the current row), a cell's history and a family's absence notices
(``notices``); what they share is in ``common``.

Thin: every view parses its input, calls ``parta.journal.services`` or ``selectors`` and shapes the
answer. Access is decided there (404 for what is not yours, 403 for a journal you may only read).
"""
