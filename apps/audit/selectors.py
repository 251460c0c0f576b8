"""Reads of the audit log."""

from django.db.models import Q, QuerySet

from .models import AuditRecord


def audit_trail(*, number: str, target_type: str = "", target_id: str = "") -> QuerySet:
    """Records about ``number`` and, when given, about one target; newest
    first (the model's ordering)."""
    condition = Q(number=number)
    if target_type and target_id:
        condition |= Q(target_type=target_type, target_id=str(target_id))
    return AuditRecord.objects.filter(condition)
