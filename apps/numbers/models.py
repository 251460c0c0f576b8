from django.db import models


class AreaCode(models.Model):
    """One NANP area code (NPA) as NANPA's report describes it."""

    npa = models.CharField(max_length=3, primary_key=True)
    type_of_code = models.CharField(max_length=64, blank=True)
    assigned = models.BooleanField(default=False)
    in_service = models.BooleanField(default=False)
    use = models.CharField(max_length=1, blank=True, help_text="G geographic, N not")
    location = models.CharField(max_length=64, blank=True)
    country = models.CharField(max_length=32, blank=True, help_text="As NANPA names it")
    time_zone = models.CharField(max_length=32, blank=True)
    report_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.npa
