"""``Authorization: Token <secret>`` for phones.

A lookup happens while a phone rings, so the device behind a token is cached
(by the token's hash, never the token) and a cache hit costs no query.
"""

import hashlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from rest_framework import authentication, exceptions, permissions

from apps.core.degraded import log_unavailable

from .models import Device

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32
_CACHED_FIELDS = ("region", "platform", "phone_number", "created_at", "trust")


def token_new() -> tuple[str, str]:
    """A new secret and the hash stored in its place."""
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    return secret, token_hash(secret)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _cache_key(hashed: str) -> str:
    return f"device:token:{hashed}"


def device_cache_forget(device: Device) -> None:
    """Drop the cached identity after the device changed or was erased."""
    if device.token_hash:
        try:
            cache.delete(_cache_key(device.token_hash))
        except Exception:
            log_unavailable(logger, "device cache unavailable")


def _device_from_cache(hashed: str) -> Device | None:
    try:
        data = cache.get(_cache_key(hashed))
    except Exception:
        log_unavailable(logger, "device cache unavailable; reading the database")
        return None
    if data is None:
        return None
    return Device(
        id=data["id"], token_hash=hashed, **{f: data[f] for f in _CACHED_FIELDS}
    )


def _device_to_cache(device: Device) -> None:
    data = {"id": device.id, **{f: getattr(device, f) for f in _CACHED_FIELDS}}
    try:
        cache.set(
            _cache_key(device.token_hash), data, timeout=settings.DEVICE_CACHE_SECONDS
        )
    except Exception:
        log_unavailable(logger, "device cache unavailable")


def device_for_token(secret: str) -> Device | None:
    hashed = token_hash(secret)
    device = _device_from_cache(hashed)
    if device is not None:
        return device
    device = Device.objects.filter(token_hash=hashed, erased_at__isnull=True).first()
    if device is not None:
        _device_to_cache(device)
    return device


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Malformed token.") from exc
        if len(secret) > 128:
            raise exceptions.AuthenticationFailed("Invalid token.")
        device = device_for_token(secret)
        if device is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return device, None

    def authenticate_header(self, request) -> str:
        return self.keyword


class IsDevice(permissions.BasePermission):
    """The request carries a valid device token."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, Device)
