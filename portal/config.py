"""Settings from environment variables and .streamlit/secrets.toml, with safe defaults.

Precedence: environment variable, then the same key in secrets.toml, then the default.
The embedded default (no settings at all) is a SQLite file and a generated secret key under
the git-ignored var/ folder, so a newcomer's `streamlit run streamlit_app.py` just works.
"""
from __future__ import annotations

import ipaddress
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
DEMO_SCALES = ("small", "city", "province")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    jurisdiction: str
    demo: bool
    demo_scale: str
    production: bool
    var_dir: Path
    # Officials' sign-in rules (accounts.throttle reads these): failures from one address
    # before each further one delays the next try there (30 s, doubling), the longest delay,
    # and the bureau's own networks (CIDRs), treated gently (see accounts/throttle.py).
    lockout_failures: int = 5
    lockout_minutes: int = 15
    trusted_networks: tuple[str, ...] = ()
    idle_minutes: int = 30
    # Map background: OpenStreetMap, tianditu (天地图, needs tianditu_key), amap (高德,
    # GCJ-02: points and boundaries are shifted to match), or none where no tile server is
    # reachable (the district boundaries still show).
    map_tiles: str = "OpenStreetMap"
    tianditu_key: str = ""
    # Years after a case is finished before a complainant's personal data is erased.
    complaint_retention_years: int = 3
    # Behind a reverse proxy (nginx) every client arrives from the proxy's address: take the
    # client's address from X-Forwarded-For / X-Real-IP instead (only set this behind one).
    trusted_proxy: bool = False
    # How voters' (and survey respondents') mobile numbers are verified: "demo" shows the
    # code on screen (labelled 演示); "webhook" posts it to an SMS gateway at sms_webhook_url.
    phone_verification: str = "demo"
    sms_webhook_url: str = ""
    # The satisfaction survey in data/surveys/ (file name without .json).
    survey: str = "food_safety_2026"
    # Open-data API (/api/v1): requests a minute per client address, per process.
    api_requests_per_minute: int = 120
    # The site is served over HTTPS: the portal's cookies (portal.cookies) are marked Secure.
    secure_cookies: bool = False
    # The footer every government site carries (each line hidden while empty): 主办单位
    # (the profile's bureau unless set), 联系我们, ICP备案号 (linked to beian.miit.gov.cn),
    # 公安机关备案号 (linked to beian.mps.gov.cn) and 政府网站标识码.
    site_sponsor: str = ""
    contact_phone: str = ""
    contact_address: str = ""
    icp_number: str = ""
    psb_number: str = ""
    site_code: str = ""


def _read_secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        try:
            return tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc


def _flag(name: str, raw: str | None, default: bool) -> bool:
    if raw is None or str(raw).strip() == "":
        return default
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be 0 or 1 (got {raw!r})")


def _int(name: str, raw, default: int, low: int, high: int) -> int:
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number (got {raw!r})") from exc
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high} (got {value})")
    return value


def _secret_from_file(var_dir: Path) -> str:
    """The embedded default: one random key kept beside the SQLite file, owner-readable."""
    path = var_dir / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must end up with one key, not two.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_settings(env: Mapping[str, str] | None = None,
                  secrets_path: Path | None = None) -> Settings:
    env = os.environ if env is None else env
    stored = _read_secrets(secrets_path or DEFAULT_SECRETS_PATH)

    def get(key: str) -> str | None:
        if env.get(key) not in (None, ""):
            return env[key]
        value = stored.get(key)
        return None if value is None else str(value)

    production = (get("PORTAL_ENV") or "development").strip().lower() == "production"
    var_dir = Path(get("PORTAL_VAR_DIR") or PROJECT_ROOT / "var").resolve()

    url = get("PORTAL_DATABASE_URL")
    if not url:
        if production:
            raise ConfigError("PORTAL_ENV=production needs PORTAL_DATABASE_URL "
                              "(e.g. postgresql://user@host/dbname)")
        var_dir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{var_dir / 'portal.sqlite3'}"

    key = get("PORTAL_SECRET_KEY")
    if not key:
        if production:
            raise ConfigError("PORTAL_ENV=production needs PORTAL_SECRET_KEY "
                              "(at least 32 random characters, kept outside the database)")
        key = _secret_from_file(var_dir)
    if len(key) < 32:
        raise ConfigError("PORTAL_SECRET_KEY must be at least 32 characters long")

    scale = (get("PORTAL_DEMO_SCALE") or "small").strip()
    if scale not in DEMO_SCALES:
        raise ConfigError(f"PORTAL_DEMO_SCALE must be one of {', '.join(DEMO_SCALES)}")

    return Settings(
        database_url=url,
        secret_key=key,
        jurisdiction=(get("PORTAL_JURISDICTION") or "zhangjiajie").strip(),
        demo=_flag("PORTAL_DEMO", get("PORTAL_DEMO"), default=not production),
        demo_scale=scale,
        production=production,
        var_dir=var_dir,
        lockout_failures=_int("PORTAL_LOCKOUT_FAILURES", get("PORTAL_LOCKOUT_FAILURES"), 5, 1, 100),
        lockout_minutes=_int("PORTAL_LOCKOUT_MINUTES", get("PORTAL_LOCKOUT_MINUTES"), 15, 1, 1440),
        trusted_networks=_networks(get("PORTAL_TRUSTED_NETWORKS")),
        idle_minutes=_int("PORTAL_IDLE_MINUTES", get("PORTAL_IDLE_MINUTES"), 30, 1, 1440),
        map_tiles=_tiles(get("PORTAL_MAP_TILES"), get("PORTAL_TIANDITU_KEY")),
        tianditu_key=(get("PORTAL_TIANDITU_KEY") or "").strip(),
        complaint_retention_years=_int("PORTAL_COMPLAINT_RETENTION_YEARS",
                                       get("PORTAL_COMPLAINT_RETENTION_YEARS"), 3, 1, 30),
        trusted_proxy=_flag("PORTAL_TRUSTED_PROXY", get("PORTAL_TRUSTED_PROXY"), default=False),
        phone_verification=_choice("PORTAL_PHONE_VERIFICATION", get("PORTAL_PHONE_VERIFICATION"),
                                   ("demo", "webhook"), "webhook" if production else "demo"),
        sms_webhook_url=(get("PORTAL_SMS_WEBHOOK_URL") or "").strip(),
        survey=_survey_name(get("PORTAL_SURVEY")),
        api_requests_per_minute=_int("PORTAL_API_RATE", get("PORTAL_API_RATE"), 120, 1, 100_000),
        secure_cookies=_flag("PORTAL_SECURE_COOKIES", get("PORTAL_SECURE_COOKIES"), default=production),
        **{field: _footer_text(name, get(name), pattern, example)
           for field, (name, pattern, example) in FOOTER_SETTINGS.items()},
    )


# Footer settings: setting name, the form a value must have, an example for the message.
FOOTER_SETTINGS = {
    "site_sponsor": ("PORTAL_SITE_SPONSOR", r"[^<>\[\]\n]{2,60}", "张家界市市场监督管理局"),
    "contact_phone": ("PORTAL_CONTACT_PHONE", r"[0-9+\-（）() 、,，转]{3,60}", "0744-8221234"),
    "contact_address": ("PORTAL_CONTACT_ADDRESS", r"[^<>\[\]\n]{4,120}", "张家界市永定区某某路 1 号"),
    "icp_number": ("PORTAL_ICP_NUMBER", r"\S{1,4}ICP备\d{4,12}号(-\d{1,3})?", "湘ICP备12345678号-1"),
    "psb_number": ("PORTAL_PSB_NUMBER", r"\S{1,4}公网安备 ?\d{8,16}号", "湘公网安备 43080202000123号"),
    "site_code": ("PORTAL_SITE_CODE", r"[0-9A-Za-z]{10}", "4308000001"),
}


def _footer_text(name: str, raw: str | None, pattern: str, example: str) -> str:
    value = " ".join((raw or "").split())
    if value and not re.fullmatch(pattern, value):
        raise ConfigError(f"{name} does not look right (got {raw!r}); write it as it should appear "
                          f"on the site, e.g. {example}")
    return value


def _networks(raw: str | None) -> tuple[str, ...]:
    """'10.0.0.0/8, 192.168.1.0/24' -> normalised CIDRs (commas or spaces between)."""
    items = (raw or "").replace(",", " ").split()
    try:
        return tuple(str(ipaddress.ip_network(item, strict=False)) for item in items)
    except ValueError as exc:
        raise ConfigError(f"PORTAL_TRUSTED_NETWORKS must list networks such as 10.0.0.0/8, "
                          f"192.168.1.0/24 ({exc})") from exc


def _survey_name(raw: str | None) -> str:
    name = (raw or "food_safety_2026").strip()
    if not (DATA_DIR / "surveys" / f"{name}.json").is_file():
        raise ConfigError(f"PORTAL_SURVEY: data/surveys/{name}.json does not exist")
    return name


def _choice(name: str, raw: str | None, allowed: tuple[str, ...], default: str) -> str:
    value = (raw or default).strip()
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)} (got {raw!r})")
    return value


MAP_TILES = ("OpenStreetMap", "tianditu", "amap", "none")


def _tiles(raw: str | None, tianditu_key: str | None) -> str:
    value = (raw or "OpenStreetMap").strip()
    if value not in MAP_TILES:
        raise ConfigError(f"PORTAL_MAP_TILES must be one of {', '.join(MAP_TILES)}")
    if value == "tianditu" and not (tianditu_key or "").strip():
        raise ConfigError("PORTAL_MAP_TILES=tianditu needs PORTAL_TIANDITU_KEY (a 天地图 browser key)")
    return value
