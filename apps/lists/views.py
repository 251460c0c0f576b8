from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.schema import RETRY_AFTER_HEADER, error_responses
from apps.core.serializers import ErrorSerializer

from .selectors import list_entries
from .serializers import ListEntryInputSerializer, ListEntryOutputSerializer
from .services import ListRuleError, list_entry_create, list_entry_delete

CONFLICT = OpenApiResponse(
    ErrorSerializer,
    "The number or range is already on the list with the other action "
    "(code `duplicate`); delete that entry first.",
)
REFUSED = OpenApiResponse(
    ErrorSerializer,
    "Invalid input: `invalid` (with `fields`), `invalid_number`, "
    "`invalid_prefix`, `prefix_too_short` (a range needs at least "
    "LIST_PREFIX_MIN_DIGITS digits after the +) or `list_full`.",
)


class RuleRefused(exceptions.APIException):
    """A `ListRuleError` in the common error shape, with its own code."""

    def __init__(self, error: ListRuleError) -> None:
        self.status_code = error.status
        super().__init__(detail=error.message, code=error.code)


class ListView(generics.ListAPIView):
    """The calling device's own block and allow rules."""

    serializer_class = ListEntryOutputSerializer

    def get_queryset(self):
        return list_entries(device=self.request.user)

    @extend_schema(
        operation_id="lists_list",
        tags=["lists"],
        summary="List this device's block and allow rules",
        description="Newest first, cursor paginated.",
        responses={
            200: ListEntryOutputSerializer(many=True),
            **error_responses(400, 401, 404, 429),
        },
        parameters=[RETRY_AFTER_HEADER],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="lists_create",
        tags=["lists"],
        summary="Add a block or allow rule",
        description=(
            "A number or a range ('+1 800 555*'). Lookups apply the list before "
            "anything else: any matching allow beats any matching block. "
            "Adding an existing rule again with the same action answers 200 "
            "with the existing entry, unchanged; with the other action, 409."
        ),
        request=ListEntryInputSerializer,
        responses={
            201: ListEntryOutputSerializer,
            200: ListEntryOutputSerializer,
            400: REFUSED,
            409: CONFLICT,
            **error_responses(401, 413, 415, 429),
        },
        parameters=[RETRY_AFTER_HEADER],
    )
    def post(self, request):
        body = ListEntryInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        try:
            entry, created = list_entry_create(
                device=request.user, **body.validated_data, now=timezone.now()
            )
        except ListRuleError as error:
            raise RuleRefused(error) from error

        return Response(
            ListEntryOutputSerializer(entry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ListEntryView(APIView):
    @extend_schema(
        operation_id="lists_delete",
        tags=["lists"],
        summary="Remove a rule",
        request=None,
        responses={204: None, **error_responses(401, 404, 429)},
        parameters=[RETRY_AFTER_HEADER],
    )
    def delete(self, request, entry_id: int):
        if not list_entry_delete(device=request.user, entry_id=entry_id):
            raise exceptions.NotFound()

        return Response(status=status.HTTP_204_NO_CONTENT)
