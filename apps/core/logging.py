"""Log formatters that keep the ``extra={...}`` context of each record."""

import json
import logging

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _context(record: logging.LogRecord) -> dict:
    context = {k: v for k, v in vars(record).items() if k not in _STANDARD}
    request = context.get("request")
    if request is not None and hasattr(request, "path"):
        # Django's request logger attaches the request, whose repr carries the
        # query string: a looked-up number must not reach the log that way.
        context["request"] = f"{request.method} {request.path}"
    return context


class KeyValueFormatter(logging.Formatter):
    """Plain text, with the record's context appended as key=value pairs."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = _context(record)
        if context:
            pairs = " ".join(
                f"{key}={value!r}" for key, value in sorted(context.items())
            )
            line = f"{line} {pairs}"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers in production."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context(record),
        }
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)
