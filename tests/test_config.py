import os
import stat

import pytest

from portal.config import ConfigError, load_settings


def test_embedded_default_uses_sqlite_and_generates_a_private_secret(tmp_path):
    settings = load_settings({"PORTAL_VAR_DIR": str(tmp_path)}, secrets_path=tmp_path / "x.toml")
    assert settings.database_url == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    key_file = tmp_path / "secret_key"
    assert settings.secret_key == key_file.read_text()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    again = load_settings({"PORTAL_VAR_DIR": str(tmp_path)}, secrets_path=tmp_path / "x.toml")
    assert again.secret_key == settings.secret_key
    assert settings.demo is True and settings.jurisdiction == "zhangjiajie"


def test_environment_wins_over_secrets_toml(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('PORTAL_DATABASE_URL = "postgresql://a@b/c"\n'
                       'PORTAL_JURISDICTION = "jiaxing"\nPORTAL_SECRET_KEY = "' + "k" * 40 + '"\n')
    settings = load_settings({"PORTAL_VAR_DIR": str(tmp_path)}, secrets_path=secrets)
    assert settings.database_url == "postgresql://a@b/c"
    assert settings.jurisdiction == "jiaxing"
    assert settings.secret_key == "k" * 40
    env = {"PORTAL_VAR_DIR": str(tmp_path), "PORTAL_DATABASE_URL": "sqlite:///x.db"}
    assert load_settings(env, secrets_path=secrets).database_url == "sqlite:///x.db"


def test_production_refuses_to_start_without_secret_or_database(tmp_path):
    base = {"PORTAL_ENV": "production", "PORTAL_VAR_DIR": str(tmp_path)}
    with pytest.raises(ConfigError, match="PORTAL_DATABASE_URL"):
        load_settings(base, secrets_path=tmp_path / "x.toml")
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        load_settings({**base, "PORTAL_DATABASE_URL": "postgresql://a@b/c"},
                      secrets_path=tmp_path / "x.toml")
    assert not (tmp_path / "secret_key").exists()
    ok = load_settings({**base, "PORTAL_DATABASE_URL": "postgresql://a@b/c",
                        "PORTAL_SECRET_KEY": "s" * 48}, secrets_path=tmp_path / "x.toml")
    assert ok.production and ok.demo is False


@pytest.mark.parametrize("key,value", [("PORTAL_DEMO", "maybe"), ("PORTAL_SECRET_KEY", "short"),
                                       ("PORTAL_DEMO_SCALE", "huge"),
                                       ("PORTAL_IDLE_MINUTES", "0"),
                                       ("PORTAL_ICP_NUMBER", "<a href=x>备案</a>"),
                                       ("PORTAL_PSB_NUMBER", "12345"),
                                       ("PORTAL_SITE_CODE", "43080")])
def test_bad_values_are_refused_with_the_setting_named(tmp_path, key, value):
    with pytest.raises(ConfigError, match=key):
        load_settings({"PORTAL_VAR_DIR": str(tmp_path), key: value},
                      secrets_path=tmp_path / "x.toml")


def test_demo_can_be_turned_off(tmp_path):
    assert load_settings({"PORTAL_VAR_DIR": str(tmp_path), "PORTAL_DEMO": "0"},
                         secrets_path=tmp_path / "x.toml").demo is False


def test_footer_settings_are_read_and_empty_by_default(tmp_path):
    base = {"PORTAL_VAR_DIR": str(tmp_path)}
    plain = load_settings(base, secrets_path=tmp_path / "x.toml")
    assert (plain.icp_number, plain.psb_number, plain.site_code, plain.contact_phone) == ("",) * 4
    set_ = load_settings({**base, "PORTAL_ICP_NUMBER": " 湘ICP备12345678号-1 ",
                          "PORTAL_PSB_NUMBER": "湘公网安备 43080202000123号",
                          "PORTAL_SITE_CODE": "4308000001", "PORTAL_CONTACT_PHONE": "0744-8221234"},
                         secrets_path=tmp_path / "x.toml")
    assert set_.icp_number == "湘ICP备12345678号-1" and set_.site_code == "4308000001"
    assert set_.psb_number == "湘公网安备 43080202000123号" and set_.contact_phone == "0744-8221234"


def test_secrets_toml_may_hold_numbers_and_booleans_and_empty_environment_values_are_unset(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("PORTAL_DEMO = false\nPORTAL_API_RATE = 60\nPORTAL_DEMO_SCALE = \"city\"\n")
    env = {"PORTAL_VAR_DIR": str(tmp_path), "PORTAL_DEMO_SCALE": "", "PORTAL_IDLE_MINUTES": " 45 "}
    settings = load_settings(env, secrets_path=secrets)
    assert (settings.demo, settings.api_requests_per_minute) == (False, 60)
    assert (settings.demo_scale, settings.idle_minutes) == ("city", 45)
    with pytest.raises(ConfigError, match=r"PORTAL_API_RATE must be between 1 and 100000 \(got 0\)"):
        load_settings({**env, "PORTAL_API_RATE": "0"}, secrets_path=secrets)
