"""Request parsers that never turn a hostile body into a server error."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, with absurdly deep nesting answered as a 400.

    A two-kilobyte body of a thousand nested brackets exhausts Python's
    recursion limit inside the JSON decoder; that is bad input, not a crash.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
