"""``GET /api/v1/blocklist/``: the block list, whole or as a delta."""

import gzip
import re

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.views import APIView

from apps.core.schema import RETRY_AFTER_HEADER, error_responses

from .regions import list_region_for_device
from .selectors import blocklist_answer
from .serializers import (
    BlocklistDeltaSerializer,
    BlocklistFullSerializer,
    BlocklistQuerySerializer,
)

_GZIP_REFUSED = re.compile(r"\bgzip\s*;\s*q\s*=\s*0(\.0*)?\s*(,|$)", re.IGNORECASE)
_GZIP = re.compile(r"\bgzip\b", re.IGNORECASE)


def _accepts_gzip(header: str) -> bool:
    return bool(_GZIP.search(header)) and not _GZIP_REFUSED.search(header)


class BlocklistView(APIView):
    """The region's block list for offline screening."""

    @extend_schema(
        operation_id="blocklist_sync",
        tags=["blocklist"],
        summary="Sync the block list",
        description=(
            "Without `since` (or when it cannot be served as a delta) the "
            "answer is the full list, `full: true`, with `entries`. With the "
            "`version` of the last answer as `since`, the answer is a delta, "
            "`full: false`: apply it by deleting `removed` and inserting or "
            "replacing `added`; both are sorted ascending by number, so one "
            "merge pass over the held list does it. Send the last `ETag` in "
            "`If-None-Match`: 304 when nothing changed. Answers are gzipped "
            "for clients sending `Accept-Encoding: gzip`."
        ),
        parameters=[
            BlocklistQuerySerializer,
            OpenApiParameter(
                name="If-None-Match",
                type=OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description=(
                    "The `ETag` of the list the phone holds: 304 when it is "
                    "still the latest."
                ),
            ),
            OpenApiParameter(
                name="ETag",
                type=OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                response=[200, 304],
                description=(
                    "Weak; names the list the answer leads to (region, version, "
                    "limit). Send it back in If-None-Match."
                ),
            ),
            RETRY_AFTER_HEADER,
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="BlocklistAnswer",
                serializers=[BlocklistFullSerializer, BlocklistDeltaSerializer],
                resource_type_field_name=None,
            ),
            304: OpenApiResponse(description="The phone's copy is current."),
            **error_responses(400, 401, 429),
        },
    )
    def get(self, request):
        query = BlocklistQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        region = list_region_for_device(params.get("region") or request.user.region)

        try:
            answer = blocklist_answer(
                region=region,
                limit=params.get("limit"),
                since=params.get("since"),
                etags=parse_etags(request.headers.get("If-None-Match", "")),
            )
        except ValueError as exc:
            raise serializers.ValidationError({"limit": [str(exc)]}) from exc

        if answer.body is None:
            response = HttpResponseNotModified()
        elif _accepts_gzip(request.headers.get("Accept-Encoding", "")):
            response = HttpResponse(answer.body, content_type="application/json")
            response["Content-Encoding"] = "gzip"
        else:
            body = gzip.decompress(answer.body)
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = answer.plan.etag
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ("Accept-Encoding", "Authorization"))
        return response
