import pytest


@pytest.mark.django_db
def test_healthz_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_answers_ok_when_services_are_reachable(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_schema_is_served(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi" in response.content


@pytest.mark.django_db
def test_unknown_path_answers_json_404(client):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.mark.django_db
def test_readyz_names_redis_when_it_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = DEAD_REDIS

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["failing"] == ["redis"]
    assert response.json()["checks"] == {"database": "ok", "redis": "failing"}


@pytest.mark.django_db
def test_healthz_stays_up_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = DEAD_REDIS

    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_says_redis_is_not_configured_on_the_embedded_default(client, settings):
    settings.REDIS_URL = None
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "not_configured"
