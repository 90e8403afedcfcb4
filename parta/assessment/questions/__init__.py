"""The question types of a test: checking a teacher's definition, what a student is shown, checking
and scoring a student's response, and what training mode shows after an answer.

Plain functions over JSON-like dicts: a test keeps its questions as :func:`check_question` returns
them, an attempt keeps each response as :func:`check_response` returns it. Numbers that need not be
whole (a numeric answer, a tolerance, a parameter's bounds) are kept as strings ("3.5"), exactly.

Common fields: id ([a-z0-9_-]{1,40}, unique within the test — the test's checker sees to that;
"q<number>" when not given), type, text (LaTeX between $…$ is kept as text: the browser renders it),
image (an https:// address or a library material id), points (1–100, default 1), topic_ids,
outcomes (the planned outcomes, short texts), explanation (shown after answering in training mode),
shuffle (false: the options in the author's order) and params. Per type:
    single       options [{id, text}], correct: an option id
    multiple     options, correct: [option ids], at least one
    true_false   correct: true or false
    short_text   variants: [accepted answers], case_sensitive (false), ignore_spaces (false)
    numeric      answer: a number or a formula over the params ("a*b+1"); tolerance (0), absolute
    matching     left, right: [{id, text}]; pairs: {left id: right id} for every left item, each
                 right item used once at most — the right items left over are distractors
    ordering     items: [{id, text}] in the right order
    blanks       a text with gaps [[1]], [[2]]…; gaps: {"1": a typed gap {variants, case_sensitive,
                 ignore_spaces} or a drop-down one {options, correct}}
    open         allow_files (true); graded by the teacher

Text answers (short_text, typed gaps) are compared after Unicode NFC, with runs of spaces collapsed
into one and trimmed (ignore_spaces removes them all: "2 x" = "2x"), ignoring case unless
case_sensitive, and with ё read as е, always: Russian writers often leave the dots off.
Numeric answers: "3,5" and "3.5" are the same number; a response is right when
|response − answer| ≤ tolerance.

Scoring — points are a Decimal rounded half up to 2 places:
    single, true_false, short_text, numeric: all or nothing.
    multiple: points × max(0, correct options chosen − wrong options chosen) / correct options, so
        choosing everything scores 0 when there are as many wrong options as correct ones.
    matching: points × pairs right / pairs in the key.
    ordering: points × links right / (n − 1); the link after position i is right when the item at
        position i + 1 directly follows the item at position i in the key. Moving one item thus
        costs one or two links, not the credit for everything after it.
    blanks: points × gaps right / gaps.
    open: None until the teacher gives 0..points in steps of 0.5 (:func:`check_manual_points`);
        0 when nothing was handed in.

Parameters: params {"a": {"min": 2, "max": 9, "step": 1}} — at most 5, at most 1000 values each.
An attempt draws the values from ``random.Random(f"{seed}:{question id}")``: the same attempt always
sees the same numbers and its neighbours other ones; shuffling draws from its own stream of the same
seed. "{a}" in the text, the option texts and the explanation becomes the value — within $…$ the
value in braces, "{7}", as there {a} is also a TeX group; other braces stay. A numeric answer may be
a formula over the params (:mod:`parta.assessment.expressions`), checked with every combination of
the params' min and max; a draw on which it has no value (a division by zero inside a range) is
drawn again.

Modules: ``definitions`` checks a definition, ``presentation`` gives what a student sees (never an
answer) and the feedback, ``responses`` checks and scores a response, ``params`` draws the values.
"""

from parta.assessment.questions.definitions import MAX_QUESTIONS_PER_TEST, TYPES, check_question
from parta.assessment.questions.presentation import feedback, shown
from parta.assessment.questions.responses import Score, check_manual_points, check_response, score

__all__ = [
    "MAX_QUESTIONS_PER_TEST",
    "TYPES",
    "Score",
    "check_manual_points",
    "check_question",
    "check_response",
    "feedback",
    "score",
    "shown",
]
