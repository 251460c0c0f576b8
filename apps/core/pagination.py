from rest_framework.pagination import CursorPagination as BaseCursorPagination


class CursorPagination(BaseCursorPagination):
    """Stable pages over rows that keep arriving: newest first, by id."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
