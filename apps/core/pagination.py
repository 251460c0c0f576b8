from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination as BaseCursorPagination


class CursorPagination(BaseCursorPagination):
    """Stable pages over rows that keep arriving: newest first, by id.

    A ``page_size`` that is not a whole number from 1 to ``max_page_size`` is
    a 400, like every other bad input, rather than silently the default.
    """

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            value = int(raw, 10)
        except ValueError:
            value = 0
        if not 1 <= value <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"A whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return value

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor that decodes but names a position of the wrong type (a
        # crafted "p=abc") fails only when the query is built or run.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(
                    {"minimum": 1, "maximum": self.max_page_size}
                )
        return parameters
