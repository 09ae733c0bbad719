"""Settings from environment variables and .streamlit/secrets.toml, with safe defaults.

Precedence: environment variable, then the same key in secrets.toml, then the default.
The embedded default (no settings at all) is a SQLite file and a generated secret key under
the git-ignored var/ folder, so a newcomer's `streamlit run streamlit_app.py` just works.

pydantic-settings reads the sources (`PORTAL_` + the field name, or the field's alias) and
checks each value against its declared type and bounds. Two small adapters remain: a source
over a plain mapping (tests pass their own environment, and secrets.toml is read as a second
environment below the real one), and the translation of pydantic's errors into the portal's
own messages, which name the setting and say how to fix it.
"""
from __future__ import annotations

import ipaddress
import os
import secrets
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, field_validator, model_validator
from pydantic_settings import NoDecode, BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"

ENV_PREFIX = "PORTAL_"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _one_line(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


# Values are trimmed before they are checked (the URL and the secret key are taken as given).
Trimmed = BeforeValidator(_strip)
Text = Annotated[str, Trimmed]
Flag = Annotated[bool, Trimmed]
Whole = Annotated[int, Trimmed]
Folder = Annotated[Path, Trimmed, AfterValidator(Path.resolve)]


def _networks(raw: Any) -> tuple[str, ...]:
    """'10.0.0.0/8, 192.168.1.0/24' -> normalised CIDRs (commas or spaces between)."""
    if isinstance(raw, (tuple, list)):
        raw = " ".join(raw)
    items = str(raw or "").replace(",", " ").split()
    try:
        return tuple(str(ipaddress.ip_network(item, strict=False)) for item in items)
    except ValueError as exc:
        raise ValueError(f"PORTAL_TRUSTED_NETWORKS must list networks such as 10.0.0.0/8, "
                         f"192.168.1.0/24 ({exc})") from exc


# NoDecode: the text is a plain list of networks, not JSON.
Networks = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_networks)]
# The demo generator's sizes (portal/demo/generator.py SCALES has one entry for each).
DEMO_SCALES = ("small", "city", "province")
DemoScale = Annotated[Literal[DEMO_SCALES], Trimmed]
MapTiles = Annotated[Literal["OpenStreetMap", "tianditu", "amap", "none"], Trimmed]
PhoneVerification = Annotated[Literal["demo", "webhook"], Trimmed]
# An address written with or without its trailing slash is kept without.
SiteAddress = Annotated[str, BeforeValidator(lambda v: _strip(v).rstrip("/") if isinstance(v, str) else v)]
SsoSecondFactor = Annotated[Literal["portal", "provider"], Trimmed]
# A footer line: spaces collapsed; empty (hidden) or of the form a real one has (_form).
FooterLine = Annotated[str, BeforeValidator(_one_line)]


def _form(pattern: str, example: str):
    return Field("", pattern=f"^(?:{pattern})?$", examples=[example])


def _production(data: dict) -> bool:
    return data.get("env", "").lower() == "production"


def _embedded_database(data: dict) -> str:
    if _production(data):
        raise ConfigError("PORTAL_ENV=production needs PORTAL_DATABASE_URL "
                          "(e.g. postgresql://user@host/dbname)")
    data["var_dir"].mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data['var_dir'] / 'portal.sqlite3'}"


def _embedded_secret(data: dict) -> str:
    """The embedded default: one random key kept beside the SQLite file, owner-readable."""
    if _production(data):
        raise ConfigError("PORTAL_ENV=production needs PORTAL_SECRET_KEY "
                          "(at least 32 random characters, kept outside the database)")
    var_dir: Path = data["var_dir"]
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


class Settings(BaseSettings):
    """Each field is the setting PORTAL_<FIELD NAME> unless its alias names another.

    Fields are validated in this order; a default that depends on PORTAL_ENV or on the
    var/ folder is a factory reading the fields above it."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True,
                                      validate_default=True, extra="ignore")

    # "production" refuses to start without a database URL and a secret key, and turns demo
    # data off, phone verification to the SMS gateway and Secure cookies on by default.
    env: Text = "development"
    var_dir: Folder = PROJECT_ROOT / "var"
    database_url: str = Field(default_factory=_embedded_database)
    secret_key: str = Field(default_factory=_embedded_secret, min_length=32)
    jurisdiction: Text = "zhangjiajie"
    demo: Flag = Field(default_factory=lambda data: not _production(data))
    demo_scale: DemoScale = "small"
    # Officials' sign-in rules (accounts.rules reads these).
    lockout_failures: Whole = Field(5, ge=1, le=100)
    lockout_minutes: Whole = Field(15, ge=1, le=1440)
    # The bureau's own networks (CIDRs), treated gently by the sign-in delays (see
    # accounts/throttle.py): many officials may share one address there.
    trusted_networks: Networks = ()
    idle_minutes: Whole = Field(30, ge=1, le=1440)
    # An official's sign-in lasts at most this long (a working day), whatever the activity.
    session_hours: Whole = Field(10, ge=1, le=24)
    # Roles that must sign in with a second factor (TOTP) besides admin, which always must;
    # comma-separated role names, e.g. "handler,publisher".
    second_factor_roles: Text = "admin"
    # Single sign-on (st.login, on when .streamlit/secrets.toml has an [auth] block): "portal"
    # asks the portal's own second factor after the identity provider's sign-in wherever a
    # password sign-in would; "provider" takes the provider's sign-in as two-factor (set it
    # only when the provider enforces a second factor for every sign-in to this portal).
    sso_second_factor: SsoSecondFactor = "portal"
    # Map background: OpenStreetMap, tianditu (天地图, needs tianditu_key), amap (高德,
    # GCJ-02: points and boundaries are shifted to match), or none where no tile server is
    # reachable (the district boundaries still show).
    map_tiles: MapTiles = "OpenStreetMap"
    tianditu_key: Text = ""
    # Years after a case is finished before a complainant's personal data is erased.
    complaint_retention_years: Whole = Field(3, ge=1, le=30)
    # Days after a booked testing-room slot before the booker's phone (hash, masked) is erased.
    test_room_retention_days: Whole = Field(90, ge=7, le=3650)
    # Behind a reverse proxy (nginx) every client arrives from the proxy's address: take the
    # client's address from X-Forwarded-For / X-Real-IP instead (only set this behind one).
    trusted_proxy: Flag = False
    # How voters' (and survey respondents') mobile numbers are verified: "demo" shows the
    # code on screen (labelled 演示); "webhook" posts it to an SMS gateway at sms_webhook_url.
    phone_verification: PhoneVerification = Field(
        default_factory=lambda data: "webhook" if _production(data) else "demo")
    sms_webhook_url: Text = ""
    # The satisfaction survey in data/surveys/ (file name without .json).
    survey: Text = "food_safety_2026"
    # Open-data API (/api/v1): requests a minute per client address, per process.
    api_requests_per_minute: Whole = Field(120, ge=1, le=100_000, validation_alias="PORTAL_API_RATE")
    # The site's public address (https://food.example.gov.cn, no trailing slash): links the
    # portal writes for other programs (the API index) start with it. Unset, they are paths
    # relative to the host (/api/v1/...); never built from a request's Host header, which
    # any client may forge.
    public_url: SiteAddress = _form(r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?(/[\w.\-~/%]*[\w.\-~%])?",
                                               "https://food.example.gov.cn")
    # Outgoing mail for notices (portal/notices): smtp://user:password@host:587 (STARTTLS
    # when the server offers it; ?starttls=require refuses to send without it) or
    # smtps://user:password@host:465 (TLS from the start). Unset, nothing is mailed and
    # following by e-mail is not offered.
    smtp_url: Text = _form(r"smtps?://[^\s/?#]+(:\d{1,5})?/?(\?starttls=(require|off))?",
                           "smtp://notices:secret@mail.example.gov.cn:587")
    # The sender of notices, e.g. 食品安全信息 <notices@food.example.gov.cn>; its domain also
    # ends every Message-ID.
    mail_from: Text = _form(r"[^<>\n]{0,60}<[^\s<>@]+@[A-Za-z0-9.\-]+>|[^\s<>@]+@[A-Za-z0-9.\-]+",
                            "食品安全信息 <notices@food.example.gov.cn>")
    # The local (Beijing time) hour at which the day's digests go out: followers who chose
    # 每日汇总 get one mail listing the day's news, handlers their cases due within two
    # working days (portal/notices/digests.py).
    digest_hour: Whole = Field(8, ge=0, le=23)
    # The site is served over HTTPS: the portal's cookies (portal.cookies) are marked Secure.
    secure_cookies: Flag = Field(default_factory=_production)
    # The footer every government site carries (each line hidden while empty): 主办单位
    # (the profile's bureau unless set), 联系我们, ICP备案号 (linked to beian.miit.gov.cn),
    # 公安机关备案号 (linked to beian.mps.gov.cn) and 政府网站标识码.
    site_sponsor: FooterLine = _form(r"[^<>\[\]\n]{2,60}", "张家界市市场监督管理局")
    contact_phone: FooterLine = _form(r"[0-9+\-（）() 、,，转]{3,60}", "0744-8221234")
    contact_address: FooterLine = _form(r"[^<>\[\]\n]{4,120}", "张家界市永定区某某路 1 号")
    icp_number: FooterLine = _form(r"\S{1,4}ICP备\d{4,12}号(-\d{1,3})?", "湘ICP备12345678号-1")
    psb_number: FooterLine = _form(r"\S{1,4}公网安备 ?\d{8,16}号", "湘公网安备 43080202000123号")
    site_code: FooterLine = _form(r"[0-9A-Za-z]{10}", "4308000001")

    @property
    def production(self) -> bool:
        return self.env.lower() == "production"

    @field_validator("survey")
    @classmethod
    def _survey_exists(cls, name: str) -> str:
        if not (DATA_DIR / "surveys" / f"{name}.json").is_file():
            raise ValueError(f"PORTAL_SURVEY: data/surveys/{name}.json does not exist")
        return name

    @model_validator(mode="after")
    def _mail_has_a_sender(self) -> "Settings":
        if self.smtp_url and not self.mail_from:
            raise ValueError("PORTAL_SMTP_URL needs PORTAL_MAIL_FROM (e.g. notices@food.example.gov.cn)")
        return self

    @model_validator(mode="after")
    def _tianditu_has_a_key(self) -> "Settings":
        if self.map_tiles == "tianditu" and not self.tianditu_key:
            raise ValueError("PORTAL_MAP_TILES=tianditu needs PORTAL_TIANDITU_KEY (a 天地图 browser key)")
        return self

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource):
        return _sources(os.environ, DEFAULT_SECRETS_PATH)


def setting_name(field: str) -> str:
    """The environment variable (and secrets.toml key) of a Settings field."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else ENV_PREFIX + field.upper()


class _Variables(EnvSettingsSource):
    """Environment-style variables from a mapping instead of os.environ: tests hand in their
    own, and secrets.toml is read as a second environment. Overriding the loader keeps
    pydantic-settings' own name matching (prefix, alias, case)."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, Any]):
        # TOML may hold numbers and booleans: they are read as the text an environment holds.
        self._variables = {key: str(value) for key, value in variables.items()
                           if value is not None and str(value) != ""}
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {key.lower(): value for key, value in self._variables.items()}


def _read_secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        try:
            return tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc


def _sources(env: Mapping[str, str], secrets_path: Path) -> tuple[PydanticBaseSettingsSource, ...]:
    """The environment wins over secrets.toml; the fields' defaults come last."""
    return (_Variables(Settings, env), _Variables(Settings, _read_secrets(secrets_path)))


# The portal's message for each kind of pydantic error; {name} is the setting.
MESSAGES = {
    "bool_parsing": "{name} must be 0 or 1 (got {input!r})",
    "int_parsing": "{name} must be a whole number (got {input!r})",
    "int_from_float": "{name} must be a whole number (got {input!r})",
    "greater_than_equal": "{name} must be between {low} and {high} (got {input})",
    "less_than_equal": "{name} must be between {low} and {high} (got {input})",
    "literal_error": "{name} must be one of {allowed} (got {input!r})",
    "string_too_short": "{name} must be at least {min_length} characters long",
    "string_pattern_mismatch": ("{name} does not look right (got {input!r}); write it as it "
                                "should appear on the site, e.g. {example}"),
}


def _message(error: dict) -> str:
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    field = str(error["loc"][0]) if error["loc"] else ""
    if field not in Settings.model_fields:
        field = next((f for f in Settings.model_fields if setting_name(f) == field), field)
    info = Settings.model_fields.get(field)
    name = setting_name(field) if info else field
    template = MESSAGES.get(error["type"])
    if template is None or info is None:
        return f"{name}: {error['msg']} (got {error.get('input')!r})"
    bounds = {type(m).__name__: m for m in info.metadata}
    annotation = info.annotation
    return template.format(
        name=name, input=error.get("input"), min_length=error.get("ctx", {}).get("min_length"),
        low=getattr(bounds.get("Ge"), "ge", None), high=getattr(bounds.get("Le"), "le", None),
        allowed=", ".join(getattr(annotation, "__args__", ())),
        example=(info.examples or [""])[0])


_LOADED: dict[tuple, Settings] = {}


def load_settings(env: Mapping[str, str] | None = None,
                  secrets_path: Path | None = None) -> Settings:
    """The settings from the environment and secrets.toml. Pages ask on every visit: the
    process's own environment and an unchanged secrets file give the same Settings, so those
    are built once (a changed variable or file is read again)."""
    if env is None and secrets_path is None:
        try:
            stamp = DEFAULT_SECRETS_PATH.stat().st_mtime_ns
        except OSError:
            stamp = None
        key = (tuple(sorted(os.environ.items())), stamp)
        if key not in _LOADED:
            if len(_LOADED) > 16:       # tests change the environment often; keep a few
                _LOADED.clear()
            _LOADED[key] = _load(os.environ, DEFAULT_SECRETS_PATH)
        return _LOADED[key]
    return _load(os.environ if env is None else env, secrets_path or DEFAULT_SECRETS_PATH)


def _load(env: Mapping[str, str], secrets_path: Path) -> Settings:
    sources = _sources(env, secrets_path)
    try:
        return Settings(_build_sources=(sources, {}))
    except ValidationError as exc:
        first = next(e for e in exc.errors() if e["type"] != "default_factory_not_called")
        raise ConfigError(_message(first)) from None
