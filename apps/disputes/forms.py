"""The reviewers' decision forms in the admin."""

from django import forms
from django.conf import settings

from apps.reputation.models import OverrideKind
from apps.reputation.overrides import LABELLED_KINDS


class PublicReasonField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "cols": 70}))
        kwargs.setdefault("max_length", settings.DISPUTE_REASON_MAX_LENGTH)
        kwargs.setdefault(
            "help_text",
            "Sent to every disputant and shown on their status page: "
            "no internal notes, no names.",
        )
        super().__init__(**kwargs)


class ReviewForm(forms.Form):
    """Taking a dispute in review asks nothing; the form carries the CSRF token."""


class UpholdForm(forms.Form):
    kind = forms.ChoiceField(
        choices=OverrideKind.choices,
        help_text="Allow: a verified caller, shown with its name. Identify: the "
        "label is shown and the number is never blocked. Block: always blocked.",
    )
    label = forms.CharField(
        max_length=64,
        required=False,
        help_text='The name phones show, e.g. "Pharmacy reminder". Required for '
        "allow and identify.",
    )
    public_reason = PublicReasonField()

    def clean(self):
        data = super().clean()
        if data.get("kind") in LABELLED_KINDS and not data.get("label", "").strip():
            self.add_error("label", "Allow and identify need the name phones show.")
        return data


class RejectForm(forms.Form):
    public_reason = PublicReasonField()
