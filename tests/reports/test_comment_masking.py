import pytest

from apps.reports.masking import comment_clean, comment_mask
from apps.reports.models import Report
from tests.reports.bodies import URL, report_body

FULLWIDTH_NUMBER = "".join(chr(0xFF10 + int(d)) for d in "4155552671")


@pytest.mark.parametrize(
    ("region", "comment", "masked"),
    [
        ("US", "Call back on 415-555-2671 now", "Call back on [phone] now"),
        ("US", "(415) 555-0100 again", "[phone] again"),
        ("US", "+1 415 555 2671", "[phone]"),
        ("US", "they said 4155552671!", "they said [phone]!"),
        ("US", "local 555-0100 only", "local [phone] only"),
        ("US", "+44 7700 900123 from the UK", "[phone] from the UK"),
        ("GB", "ring 020 7946 0958 they said", "ring [phone] they said"),
        ("GB", "ring 07700 900123", "ring [phone]"),
        ("FR", "rappeler le 01 23 45 67 89", "rappeler le [phone]"),
        ("US", "UK number 020 7946 0958", "UK number [phone]"),  # digit run
        ("US", "ref 12345678", "ref [phone]"),
        ("US", "12.34.56.78.90", "[phone]"),
        ("US", FULLWIDTH_NUMBER, "[phone]"),
        ("US", "mail scam.boss+x@example.co.uk", "mail [email]"),
        ("US", "write to a.b@c.io or x@y.org", "write to [email] or [email]"),
        ("US", "bob (at) example (dot) com", "[email]"),
        ("US", "bob [at] example [dot] com", "[email]"),
        ("US", "email me@x.io, call 4155552671", "email [email], call [phone]"),
        ("US", "Said I won a cruise", "Said I won a cruise"),
        ("US", "twice at 10:30 and 11:45", "twice at 10:30 and 11:45"),
        ("US", "asked for $1,500", "asked for $1,500"),
        ("US", "code 12345", "code 12345"),
        ("US", "meet (at) noon. Bye", "meet (at) noon. Bye"),
        ("US", "", ""),
    ],
)
def test_contact_details_in_comments_are_masked(region, comment, masked):
    assert comment_mask(comment, region) == masked


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("plain", "plain"),
        ("  padded  ", "padded"),
        ("4\u200b1\u200b5", "415"),
        ("a\x00b\x07c", "abc"),
        ("right\u202eleft", "rightleft"),
        ("line\nbreak\ttab", "line\nbreak\ttab"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("caf\u00e9 \U0001f4de", "caf\u00e9 \U0001f4de"),
    ],
)
def test_comments_lose_invisible_characters(text, cleaned):
    assert comment_clean(text) == cleaned


@pytest.mark.django_db
def test_a_number_hidden_by_invisible_characters_is_still_masked(phone):
    comment = "call 4\u200b1\u200b5\u200b-555-2671 back"

    response = phone.post(URL, report_body(comment=comment), format="json")

    assert response.status_code == 201
    assert Report.objects.get().comment == "call [phone] back"
    assert response.json()["comment"] == "call [phone] back"


@pytest.mark.django_db
def test_the_comment_is_masked_before_it_is_stored(phone):
    comment = "They left 212-555-0199 and joe@scam.example for a refund"

    response = phone.post(URL, report_body(comment=comment), format="json")

    stored = Report.objects.get().comment
    assert stored == "They left [phone] and [email] for a refund"
    assert response.json()["comment"] == stored
