"""docker-compose.yml, Dockerfile and .dockerignore hold together.

No Docker engine runs here, so these read the files as Compose and Docker would: YAML with its
anchors and merge keys, Compose's ${VAR:-default} / ${VAR:?error} interpolation, and the
Dockerfile's instructions.
"""

import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("web", "worker", "beat")
LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat", "mailpit")
DEPLOY_ENV = {"SECRET_KEY": "k" * 50, "POSTGRES_PASSWORD": "pgpassword1"}

VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}")


class MissingVariableError(Exception):
    pass


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's interpolation of one value (strings inside lists and mappings too)."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        if env.get(name):
            return env[name]
        if op == ":?":
            raise MissingVariableError(f"{name}: {arg}")
        return arg if op == ":-" else ""

    return VARIABLE.sub(replace, value)


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    raw = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    return interpolate(raw, DEPLOY_ENV if env is None else env)


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return compose()["services"]


def command(service: dict[str, Any]) -> list[str]:
    value = service["command"]
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def healthcheck_command(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    if isinstance(test, str):
        return test
    assert test[0] in ("CMD", "CMD-SHELL"), test
    return " ".join(test[1:])


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def test_the_six_services_and_a_one_shot_migrate_are_defined(services):
    assert set(services) == {*LONG_RUNNING, "migrate"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["mailpit"]["image"].split(":")[0] == "axllent/mailpit"


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_app_services_run_the_image_built_from_the_dockerfile(services, name):
    service = services[name]

    assert service["build"] == "."
    assert service["image"] == services["web"]["image"]
    assert (PROJECT_ROOT / "Dockerfile").is_file()


def test_each_app_service_runs_its_own_process(services):
    assert command(services["web"])[:2] == ["gunicorn", "clinic.wsgi:application"]
    assert "--bind=0.0.0.0:8000" in command(services["web"])
    assert command(services["worker"])[:3] == ["celery", "--app=clinic", "worker"]
    assert command(services["beat"])[:3] == ["celery", "--app=clinic", "beat"]
    assert command(services["migrate"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_app_services_reach_postgres_redis_and_mailpit_by_service_name(services, name):
    environment = services[name]["environment"]

    database = urlsplit(environment["DATABASE_URL"])
    assert (database.scheme, database.hostname, database.port) == ("postgres", "postgres", 5432)
    assert database.path == "/" + services["postgres"]["environment"]["POSTGRES_DB"]
    assert database.username == services["postgres"]["environment"]["POSTGRES_USER"]
    assert database.password == services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    redis = urlsplit(environment["REDIS_URL"])
    assert (redis.scheme, redis.hostname, redis.port) == ("redis", "redis", 6379)
    assert environment["EMAIL_URL"] == "smtp://mailpit:1025"


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_app_services_run_as_production_behind_a_tls_proxy(services, name):
    environment = services[name]["environment"]

    assert environment["DEBUG"] == "false"
    assert environment["SECRET_KEY"] == DEPLOY_ENV["SECRET_KEY"]
    assert environment["SECURE_SSL_REDIRECT"] == "false"
    # The web health check asks for the login page as localhost.
    assert "localhost" in environment["ALLOWED_HOSTS"].split(",")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "POSTGRES_PASSWORD"])
def test_compose_refuses_to_start_without_a_secret(missing):
    env = {key: value for key, value in DEPLOY_ENV.items() if key != missing}

    with pytest.raises(MissingVariableError, match=missing):
        compose(env)


def test_email_url_can_point_at_a_real_smtp_server():
    env = DEPLOY_ENV | {"EMAIL_URL": "smtp+tls://clinic:pw@smtp.example.org:587"}

    web = compose(env)["services"]["web"]

    assert web["environment"]["EMAIL_URL"] == "smtp+tls://clinic:pw@smtp.example.org:587"


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_has_a_healthcheck(services, name):
    healthcheck = services[name]["healthcheck"]

    assert healthcheck["test"]
    assert not healthcheck.get("disable", False)
    assert healthcheck["interval"] and healthcheck["timeout"] and healthcheck["retries"]


@pytest.mark.parametrize(
    ("name", "probe"),
    [
        ("postgres", "pg_isready"),
        ("redis", "redis-cli ping"),
        ("mailpit", "/mailpit readyz"),
        ("web", "http://127.0.0.1:8000/healthz"),
        ("worker", "celery --app=clinic inspect ping"),
        ("worker", "manage.py health_check worker"),
        ("beat", "manage.py health_check beat"),
    ],
)
def test_healthchecks_probe_the_service_itself(services, name, probe):
    assert probe in healthcheck_command(services[name])


def test_worker_healthcheck_pings_this_worker_by_name(services):
    hostname = next(
        arg.split("=", 1)[1] for arg in command(services["worker"]) if arg.startswith("--hostname=")
    )

    assert hostname == "worker@%h"
    assert "--destination=worker@$HOSTNAME" in healthcheck_command(services["worker"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_start_after_migrations_and_healthy_backing_services(services, name):
    depends_on = services[name]["depends_on"]

    assert depends_on == {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "mailpit": {"condition": "service_healthy"},
    }


def test_migrate_waits_for_a_healthy_postgres(services):
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_postgres_keeps_its_data_in_a_named_volume():
    config = compose()

    volumes = config["services"]["postgres"]["volumes"]

    assert "postgres-data:/var/lib/postgresql/data" in volumes
    assert "postgres-data" in config["volumes"]


def test_dockerfile_builds_on_python_311_slim():
    assert dockerfile_instructions()[0] == ("FROM", "python:3.11-slim")


def test_dockerfile_installs_only_the_runtime_lock():
    runs = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN"]
    copies = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "COPY"]

    assert any("pip install" in run and "-r requirements.lock" in run for run in runs)
    assert "requirements.lock ./" in copies
    assert not any("requirements-dev" in line for line in runs + copies)


def test_dockerfile_collects_static_files_with_a_key_for_that_step_only():
    instructions = dockerfile_instructions()
    collect = next(args for keyword, args in instructions if "collectstatic" in args)

    assert collect.startswith("SECRET_KEY=")
    assert not any(
        keyword in ("ENV", "ARG") and "SECRET_KEY" in args for keyword, args in instructions
    )


def test_dockerfile_runs_gunicorn_as_a_user_other_than_root():
    instructions = dockerfile_instructions()
    users = [args for keyword, args in instructions if keyword == "USER"]
    cmd = json.loads(next(args for keyword, args in instructions if keyword == "CMD"))

    assert users and users[-1] not in ("root", "0")
    keywords = [keyword for keyword, _ in instructions]
    assert keywords.index("USER") < keywords.index("CMD")
    assert cmd[:2] == ["gunicorn", "clinic.wsgi:application"]
    assert "--bind=0.0.0.0:8000" in cmd


@pytest.mark.parametrize("pattern", [".git", ".venv", ".env", "var", "*.sqlite3", "staticfiles"])
def test_dockerignore_keeps_local_state_out_of_the_image(pattern):
    lines = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()

    assert pattern in lines
