"""Pages of the review: the city's queue for its methodologists, and the review of one material
(the submitted version, what changed since the published one, earlier reviews, the decision).

Every page reaches its material through ``parta.library.access`` via the selectors and services
(404 for anyone who does not review the material's city); the decision is a plain POST.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parta.core.forms import submit
from parta.core.ids import parse_id
from parta.library.models import Kind
from parta.library.selectors import moderation as selectors
from parta.library.services.moderation import MAX_COMMENT, material_publish, material_return

PUBLISH, RETURN = "publish", "return"


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment for the author"),
        help_text=gettext_lazy("Needed to return the material: say what to change."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_COMMENT,
        required=False,
    )
    decision = forms.ChoiceField(choices=[(PUBLISH, PUBLISH), (RETURN, RETURN)], widget=forms.HiddenInput)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Materials waiting for review in the methodologist's city, oldest first; by subject or type."""
    subject_id = parse_id(request.GET.get("subject"))
    kind = request.GET.get("type") if request.GET.get("type") in Kind.values else None
    rows = selectors.review_queue(request.user, subject_id=subject_id, kind=kind)
    context = {
        "rows": rows,
        "subjects": selectors.subject_choices(),
        "kinds": Kind.choices,
        "subject_id": subject_id,
        "kind": kind or "",
    }
    return render(request, "library/queue.html", context)


@login_required
def review(request: HttpRequest, material_id: int) -> HttpResponse:
    """One material under review; a methodologist publishes it or returns it with a comment."""
    under = selectors.material_under_review(request.user, material_id)
    form = ReviewForm(request.POST if request.method == "POST" else None)

    def decide() -> str:
        data = form.cleaned_data
        if data["decision"] == PUBLISH:
            material_publish(request.user, material_id, comment=data["comment"])
            return _("“%(title)s” is published.") % {"title": under.submitted.version.title}
        material_return(request.user, material_id, comment=data["comment"])
        return _("“%(title)s” is returned to its author.") % {"title": under.submitted.version.title}

    done = submit(request, form, decide)
    if done is not None:
        messages.success(request, done)
        return redirect("library-queue")
    context = {"under": under, "form": form, "material": under.material}
    return render(request, "library/review.html", context, status=400 if form.errors else 200)


urlpatterns: list[URLPattern | URLResolver] = [
    path("review/", queue, name="library-queue"),
    path("review/<int:material_id>/", review, name="library-review"),
]
