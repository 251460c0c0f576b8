"""Versioned block lists, one per region, that phones sync for offline use.

A phone may hold the whole list or only its top ``N`` entries, ``N`` one of
the configured tiers (``BLOCKLIST_LIMIT_TIERS`` plus ``BLOCKLIST_MAX_ENTRIES``).
Each entry stores the smallest tier it belongs to, so that the list for tier
``t`` is every entry with ``tier <= t``, and each change records the tier an
entry moved from and to, so that the delta for any tier is read from the
change rows alone. docs/blocklist.md explains the design.
"""

from django.db import models


class Action(models.TextChoices):
    BLOCK = "block", "Block"
    IDENTIFY = "identify", "Identify (label shown, never blocked)"


class BlocklistRegion(models.Model):
    """The head of one region's list: its latest version and tier boundaries.

    ``boundaries`` holds, per tier, the ``[rank, number]`` of the lowest
    ranked entry inside it, or ``null`` while the region has no more
    candidates than the tier holds. ``tiers`` is the tier sizes the entries'
    ``tier`` column was computed with; when the settings change the region
    is reshaped and deltas across the reshape are refused.
    """

    region = models.CharField(max_length=2, primary_key=True)
    version = models.PositiveIntegerField(default=0)
    tiers = models.JSONField(default=list)
    boundaries = models.JSONField(default=list)
    candidates = models.PositiveIntegerField(
        default=0, help_text="Qualifying numbers, listed or ranked below the cap"
    )
    counts = models.JSONField(
        default=dict, help_text="Entries of the full list, per action"
    )
    reset_version = models.PositiveIntegerField(
        default=0, help_text="No delta reaches back across this version"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"block list {self.region} v{self.version}"


class BlocklistEntry(models.Model):
    """A qualifying number of a region, listed or waiting below the cap."""

    region = models.CharField(max_length=2)
    number = models.BigIntegerField(help_text="E.164 digits without the +")
    action = models.CharField(max_length=8, choices=Action.choices)
    label = models.CharField(max_length=64, blank=True)
    rank = models.FloatField(help_text="Reputation.activity: higher ranks first")
    tier = models.PositiveSmallIntegerField(
        help_text="Index of the smallest tier holding it; len(tiers) when capped out"
    )

    class Meta:
        verbose_name_plural = "block-list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number"], name="blocklist_entry_unique_number"
            )
        ]
        indexes = [
            models.Index(
                fields=["region", "-rank", "number"], name="blocklist_entry_rank_idx"
            ),
            # Aggregation names numbers, not regions.
            models.Index(fields=["number"], name="blocklist_entry_number_idx"),
            # The top-N list of a small tier, without reading the whole region.
            models.Index(fields=["region", "tier"], name="blocklist_entry_tier_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.action} +{self.number}"


class BlocklistVersion(models.Model):
    """One published version of a region's list."""

    region = models.CharField(max_length=2)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    counts = models.JSONField(
        default=dict, help_text="Entries of the full list, per action"
    )
    size = models.PositiveIntegerField(default=0, help_text="Entries of the full list")
    changes = models.PositiveIntegerField(
        default=0, help_text="Change rows this version wrote"
    )
    reset = models.BooleanField(
        default=False, help_text="Tiers were recomputed: no delta crosses it"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "version"], name="blocklist_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} v{self.version}"


class BlocklistChange(models.Model):
    """How one entry changed in one version: its tiers and content, before
    and after. ``old_tier``/``new_tier`` equal ``len(tiers)`` when the number
    was not listed at all."""

    region = models.CharField(max_length=2)
    version = models.PositiveIntegerField()
    number = models.BigIntegerField()
    old_tier = models.PositiveSmallIntegerField()
    new_tier = models.PositiveSmallIntegerField()
    old_action = models.CharField(max_length=8, blank=True)
    old_label = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=8, blank=True)
    label = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["region", "version"], name="blocklist_change_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region} v{self.version} +{self.number}"
