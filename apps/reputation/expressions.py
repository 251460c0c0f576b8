"""SQL expressions the aggregation needs and Django lacks, on both databases."""

from django.db.models import FloatField, Func


class EpochSeconds(Func):
    """Seconds since 1970-01-01 UTC of a datetime column, as a float.

    PostgreSQL's ``date_part`` answers a double precision directly (its
    ``EXTRACT`` became numeric in version 14, several times slower to
    compute with); SQLite stores datetimes as UTC text, which ``julianday``
    reads.
    """

    arity = 1
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date_part('epoch', %(expressions)s)",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
            **extra_context,
        )
