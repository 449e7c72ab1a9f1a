from pathlib import Path

import pytest

from app.errors import ConfigError
from app.settings import DEFAULT_INI, Settings, env_names, load_settings


def write_ini(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "faust.ini"
    path.write_text(text)
    return path


def test_project_ini_gives_documented_defaults() -> None:
    s = load_settings(environ={}, ini_path=DEFAULT_INI)
    assert s.broker_url == "kafka://127.0.0.1:9092"
    assert s.kafka_bootstrap == "127.0.0.1:9092"
    assert s.database_url == "postgresql://headwater@127.0.0.1:5432/headwater"
    assert s.milvus_uri == "http://127.0.0.1:19530"
    assert s.schema_registry_url == "http://127.0.0.1:8081"
    assert s.web_port == 6066
    assert s.pseudonym_key == ""


def test_environment_wins_over_ini() -> None:
    env = {"BROKER_URL": "kafka://a:1,kafka://b:2", "WEB_PORT": "7000", "DATA_DIR": "/x"}
    s = load_settings(environ=env, ini_path=DEFAULT_INI)
    assert s.kafka_bootstrap == "a:1,b:2"
    assert s.web_port == 7000
    assert s.data_dir == Path("/x")


def test_config_env_selects_another_file(tmp_path: Path) -> None:
    text = DEFAULT_INI.read_text().replace("id = headwater", "id = other")
    path = write_ini(tmp_path, text)
    assert load_settings(environ={"HEADWATER_CONFIG": str(path)}).app_id == "other"


def test_settings_are_frozen() -> None:
    s = load_settings(environ={}, ini_path=DEFAULT_INI)
    with pytest.raises(AttributeError):
        s.app_id = "x"  # type: ignore[misc]


def test_secrets_come_from_environment_only(tmp_path: Path) -> None:
    s = load_settings(environ={"HEADWATER_PSEUDONYM_KEY": "s3cr3t-value"}, ini_path=DEFAULT_INI)
    assert s.pseudonym_key == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(s)
    text = DEFAULT_INI.read_text() + "\n[postgres2]\npassword = hunter2\n"
    with pytest.raises(ConfigError, match="looks like a secret"):
        load_settings(environ={}, ini_path=write_ini(tmp_path, text))


def test_missing_key_names_section_and_env(tmp_path: Path) -> None:
    text = DEFAULT_INI.read_text().replace("port = 6066", "")
    with pytest.raises(ConfigError, match=r"'port = \.\.\.' under \[web\].*WEB_PORT"):
        load_settings(environ={}, ini_path=write_ini(tmp_path, text))


def test_bad_value_names_its_source() -> None:
    with pytest.raises(ConfigError, match="environment variable WEB_PORT"):
        load_settings(environ={"WEB_PORT": "sixty"}, ini_path=DEFAULT_INI)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BROKER_URL": "127.0.0.1:9092"}, "kafka://host:port"),
        ({"TOPIC_PARTITIONS": "0"}, "at least 1"),
        ({"DATABASE_POOL_MIN": "5", "DATABASE_POOL_MAX": "2"}, "DATABASE_POOL_MIN"),
        ({"HEALTH_TIMEOUT": "0"}, "HEALTH_TIMEOUT"),
    ],
)
def test_invalid_values_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=env, ini_path=DEFAULT_INI)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(environ={}, ini_path=tmp_path / "nope.ini")


def test_every_ini_field_is_documented_in_faust_ini() -> None:
    text = DEFAULT_INI.read_text()
    for name, env in env_names().items():
        field = Settings.__dataclass_fields__[name]
        if "ini" in field.metadata:
            assert env in text, f"faust.ini does not document {env} for {name}"
