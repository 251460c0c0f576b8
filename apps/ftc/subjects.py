"""The FTC's complaint subjects mapped to our report categories.

docs/real-data.md explains each choice. Subjects are compared after collapsing
runs of spaces and case folding, because the FTC publishes some of them with
two spaces before ``&`` (``"Warranties  & protection plans"``).
"""

from apps.reports.models import Category

SUBJECT_CATEGORIES: dict[str, Category] = {
    # Seen in the published samples (docs/real-data.md lists the counts).
    "No Subject Provided": Category.OTHER,
    "Other": Category.OTHER,
    "Calls pretending to be government, businesses, or family and friends": (
        Category.SCAM
    ),
    "Dropped call or no message": Category.ROBOCALL,
    "Warranties & protection plans": Category.SCAM,
    "Reducing your debt (credit cards, mortgage, student loans)": Category.SCAM,
    "Computer & technical support": Category.SCAM,
    "Medical & prescriptions": Category.TELEMARKETING,
    "Energy, solar, & utilities": Category.TELEMARKETING,
    "Charities": Category.NONPROFIT,
    "Vacation & timeshares": Category.TELEMARKETING,
    "Lotteries, prizes & sweepstakes": Category.SCAM,
    "Home improvement & cleaning": Category.TELEMARKETING,
    # Subjects of the FTC's complaint form that the samples happen to lack.
    "Home security & alarms": Category.TELEMARKETING,
    "Work from home & other ways to make money": Category.SCAM,
}


def _key(subject: str) -> str:
    return " ".join(subject.split()).casefold()


_BY_KEY = {_key(subject): category for subject, category in SUBJECT_CATEGORIES.items()}


def category_for_subject(subject: str) -> Category | None:
    """Our category for an FTC subject; ``None`` when the subject is unknown."""
    return _BY_KEY.get(_key(subject))
