"""Fetch tables and their metadata from the GENESIS REST API 2020.

Three GENESIS databases are known (`DATABASES`); each has its own registration, so
credentials can be set per database. Requests follow the current API conventions:
`POST` with the parameters as form data (`application/x-www-form-urlencoded`) and the
credentials in the HTTP headers `username` and `password` (a token goes in `username`
with an empty `password`). GET with credentials in the query string is switched off by
the offices since July 2025 and never used here.

- `data/tablefile` with `format=ffcsv` answers with a ZIP holding one
  `<TABLE>_<epochms>_<lang>_flat.csv`; `fetch_table` unpacks it and checks that it is an
  ffcsv table (`statistics_code;…` header). Selection fields: `startyear`/`endyear`,
  `regionalkey` (comma-separated, wildcards such as `16*`) with the optional
  `regionalvariable` (the table's region variable, e.g. `KREISE`, taken from the metadata),
  `stand` (only data updated after this date, `dd.mm.yyyy`) and any further field
  through `params` (`timeslices`, `classifyingvariable1`, `classifyingkey1`, …).
- `metadata/table` answers with JSON; `fetch_metadata` checks its `Status` and masks any
  credentials the server echoes in `Parameter`.
- Large tables go through a background job: the direct request answers with status 98
  (recorded by Destatis as "Die Tabelle ist zu gross, um im Dialog a[…]"); the same
  request with `job=true` answers with status 99 ("Der Bearbeitungsauftrag wurde erstellt.
  Die Tabelle kann in Kürze als Ergebnis mit folgendem Namen abgerufen werden:
  <TABLE>_<number>"); `catalogue/results` (`selection=<result>`, `area=all`,
  `pagelength`) lists the result once it is finished (status 103/104 "keine Objekte" or
  an empty `List` until then); `data/resultfile` (`name=<result>`, `area=all`,
  `compress=false`, `format=ffcsv`, `language`) delivers it like a tablefile.
  `fetch_table` does all of this by itself: it polls every `job_poll_interval` seconds
  for at most `job_max_wait` seconds, else fails naming the result, which `fetch_result`
  fetches later. A job is a "writing" request that Destatis accepts only from a user name
  (or e-mail) with password, not from a token: with a token a too-large table fails with
  that advice instead of sending `job=true`.

Where these facts come from (GENESIS publishes no machine-readable list of status
codes): the Destatis repository github.com/StatistischesBundesamt/GENESIS-Online (README,
`python_tablefile.ipynb`, `python_logincheck.ipynb`: POST only since July 2025,
credentials in headers with `Content-Type: application/x-www-form-urlencoded`, token as
user name with empty password, tokens cannot start jobs, tables above 40,000 values need
`job=true` then `catalogue/results` then `data/resultfile`, one CSV per ZIP, the recorded
98 answer; the reference PDF it points to, "GENESIS-Webservices_Introduction.pdf", was
not at hand); the client pystatis (CorrelAid, `http_helper.py` and its tests: 98 →
the same request with `job=true`, the result name after ": " in the 99 `Status.Content`
with the wording quoted above, polling `catalogue/results` with `selection=<result>`
until its `List` has the result, then `data/resultfile` with `name=<result>`; codes 0,
22 warning, 50 "Keine aktualisierten Daten vorhanden.", 90 unknown table, 98, 104 no
matching object); the client restatis (CorrelAid, `gen_list_results`,
`gen_download_job`, `get_table`: `area=all`, `List` entries with `Code`, status 103/104
while nothing is there, `stand` as `dd.mm.yyyy`). The exact `State` wording of a result
entry is not documented there; any entry with the result's `Code` counts as finished
unless its `State` says it is running or failed.

GENESIS reports most errors with HTTP 200 and a JSON body
`{"Status": {"Code": 104, "Content": "…", "Type": "Fehler"}}` (some with HTTP 401/404
and a flat `{"Code", "Content", "Type"}` body); every such answer becomes a `FetchError`
carrying the GENESIS code and text. Status codes as documented or recorded by other
clients: 0 ok, 22 ok with adjusted parameters, 15 credentials missing or not recognised,
50 no (newer) data for the selection (`NoNewerData`, not an error for the caller), 90
unknown table, 98 result too large for a direct download, 99 background job created, 104
no objects for the selection.

Connection errors, timeouts, HTTP 429 and 5xx are retried with exponential backoff
(honouring `Retry-After`); credential errors and GENESIS status errors are not.

Secrets never leave the request headers: they are not logged, not put in messages or
reprs, redirects are not followed (custom headers would go along to another host), and
echoes in answers are masked. A base URL must use https:// (plain http:// only for
127.0.0.1 or localhost) and carry no query; a user name or password written into it
(`https://user:secret@host/…`) goes to the server as the URL says but is masked in every
message, log line and `Fetched.url`.

Settings come from arguments, else from environment variables:
`SOZPLAN_GENESIS_URL_<DB>` (base URL), `SOZPLAN_GENESIS_TOKEN[_<DB>]` or
`SOZPLAN_GENESIS_USERNAME[_<DB>]` + `SOZPLAN_GENESIS_PASSWORD[_<DB>]` (credentials; the
per-database name wins), `SOZPLAN_GENESIS_CONNECT_TIMEOUT`, `…_READ_TIMEOUT`,
`…_MAX_ATTEMPTS`, `…_BACKOFF_BASE`, `…_JOB_POLL_INTERVAL`, `…_JOB_MAX_WAIT` (client
settings). `<DB>` is the database name in upper case with `-` as `_`, e.g.
`REGIONALSTATISTIK`, `GENESIS_DESTATIS`, `ZENSUS2022`.
"""

from __future__ import annotations

import email.utils
import io
import json
import logging
import os
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import requests

log = logging.getLogger(__name__)

DATABASES: dict[str, str] = {
    "regionalstatistik": "https://www.regionalstatistik.de/genesisws/rest/2020",
    "genesis-destatis": "https://www-genesis.destatis.de/genesisWS/rest/2020",
    "zensus2022": "https://ergebnisse.zensus2022.de/api/rest/2020",
}
ENV_PREFIX = "SOZPLAN_GENESIS_"
TABLEFILE = "data/tablefile"
RESULTFILE = "data/resultfile"
RESULTS = "catalogue/results"
METADATA_TABLE = "metadata/table"
FFCSV_HEADER = b"statistics_code;"
USER_AGENT = "sozialplanung-genesis-connector/1 (python-requests)"

_BOM = b"\xef\xbb\xbf"
_ZIP_MAGIC = b"PK\x03\x04"
_TABLE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_MASK = "********"
_CREDENTIAL_KEYS = {"username", "password"}
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}  # plain http:// allowed only here
# Parameters this module sets itself; `params=` may not override them.
_RESERVED_PARAMS = {"username", "password", "name", "format", "compress", "language", "job"}

STATUS_OK = {0, 22}  # 22: "erfolgreich mit Parameteranpassung" (a warning; the request ran)
STATUS_CREDENTIALS = 15  # credential headers missing or not recognised (sent with HTTP 401)
STATUS_NO_NEWER_DATA = 50  # "Keine aktualisierten Daten vorhanden." (e.g. with `stand`)
STATUS_TOO_LARGE = 98
STATUS_JOB_CREATED = 99
STATUS_NO_OBJECTS = {103, 104}  # catalogue/results: the job's result is not there (yet)
# Lower-case fragments of GENESIS texts about rejected credentials.
_CREDENTIAL_TEXTS = ("zugang verweigert", "nutzernamen bzw", "passwort", "zugangsdaten")
_JOB_TEXTS = ("bearbeitungsauftrag",)
_TOO_LARGE_TEXTS = ("zu groß", "zu gross")
_NO_DATA_TEXTS = (
    "keine aktualisierten daten",
    "keine neueren daten",
    "keine daten vorhanden",
    "keine werte vorhanden",
    "no updated data",
    "no newer data",
)
_NO_OBJECT_TEXTS = ("keine objekte", "no objects")
# `State` of a job or result that is not done yet, or that failed (catalogue/jobs says
# "Fertig" when done; catalogue/results lists a result only when it exists).
_PENDING_STATES = ("bearbeitung", "läuft", "laeuft", "wartet", "running", "processing", "queued")
_FAILED_STATES = ("fehler", "abgebrochen", "failed", "error", "cancel")
# Region variables of GENESIS tables with their depth (0 = all of Germany); the ffcsv reader
# knows the same codes (pipelines/readers/genesis_ffcsv.REGION_VARIABLES). Zensus 2022 names
# its region variables GEO…: GEODL1 Germany, GEOBL… Länder, GEOGM… Gemeinden.
_REGION_DEPTH = {"DINSG": 0, "DLAND": 1, "REGBEZ": 2, "KREISE": 3, "GEMVB": 4, "GEMEIN": 5}
_ZENSUS_REGION_DEPTH = (("GEODL", 0), ("GEOBL", 1), ("GEORB", 2), ("GEOLK", 3), ("GEOGM", 5))
_REGION_KEY = re.compile(r"[0-9A-Za-z]{1,12}\*?|\*")
_YEARS = re.compile(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?")


class FetchError(Exception):
    """A table or its metadata could not be fetched; the message says why and what to do.

    `kind` sorts the failure for callers: "usage", "credentials", "connection", "timeout",
    "http", "redirect", "html", "status", "too_large", "job_timeout", "job_failed",
    "no_newer_data", "zip", "format". `job` names the GENESIS result table of a background
    job when there is one, so that it can be fetched later (`fetch_result`).
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        database: str | None = None,
        table: str | None = None,
        http_status: int | None = None,
        genesis_code: int | None = None,
        attempts: int | None = None,
        job: str | None = None,
    ):
        super().__init__(message)
        self.kind = kind
        self.database = database
        self.table = table
        self.http_status = http_status
        self.genesis_code = genesis_code
        self.attempts = attempts
        self.job = job


class NoNewerData(FetchError):
    """GENESIS has no (newer) data for the selection (status 50): nothing to land.

    Not a failure for a planner who refreshes regularly, so callers can tell it apart.
    """


@dataclass(frozen=True)
class Credentials:
    """GENESIS login: user name and password, or a token as user name with an empty password.

    The repr shows only where the values came from (`source`: argument or env var names).
    """

    username: str = field(repr=False)
    password: str = field(repr=False)
    source: str = "argument"

    @classmethod
    def token(cls, token: str, source: str = "argument") -> Credentials:
        return cls(token, "", source)

    @classmethod
    def from_env(cls, database: str, environ: Mapping[str, str] | None = None) -> Credentials:
        """The first set of: TOKEN_<DB>, USERNAME_<DB>+PASSWORD_<DB>, TOKEN, USERNAME+PASSWORD."""
        env = os.environ if environ is None else environ
        suffix = env_suffix(database)
        for tail in (f"_{suffix}", ""):
            token_var = f"{ENV_PREFIX}TOKEN{tail}"
            user_var, password_var = f"{ENV_PREFIX}USERNAME{tail}", f"{ENV_PREFIX}PASSWORD{tail}"
            if env.get(token_var):
                return cls.token(env[token_var], source=token_var)
            if env.get(user_var):
                if not env.get(password_var):
                    raise FetchError(
                        f"{user_var} is set but {password_var} is not: set both, or a token in "
                        f"{token_var}",
                        kind="credentials",
                        database=database,
                    )
                return cls(env[user_var], env[password_var], source=f"{user_var}/{password_var}")
        raise FetchError(
            f"no GENESIS credentials for {database}: {_env_hint(database)}",
            kind="credentials",
            database=database,
        )

    def headers(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password}

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.username, self.password) if s)

    def check(self, database: str) -> None:
        """Refuse values HTTP headers cannot carry (the HTTP library would echo them)."""
        for what, value in (("user name/token", self.username), ("password", self.password)):
            bad = (
                "\r" in value
                or "\n" in value
                or value != value.strip()
                or not value.isprintable()
                or not _is_latin1(value)
            )
            if bad or (what != "password" and not value):
                raise FetchError(
                    f"the GENESIS {what} from {self.source} is empty, has surrounding spaces, "
                    "line breaks or characters an HTTP header cannot carry (only Latin-1)",
                    kind="credentials",
                    database=database,
                )


@dataclass(frozen=True)
class ClientSettings:
    """Timeouts (seconds), retries and backoff of one fetch."""

    connect_timeout: float = 10.0
    read_timeout: float = 300.0  # per read: GENESIS can think for minutes before answering
    max_attempts: int = 4
    backoff_base: float = 1.0  # waits base, 2*base, 4*base, ... between attempts
    backoff_max: float = 60.0
    retry_after_max: float = 300.0  # longest Retry-After honoured
    # Background jobs of large tables take minutes: ask every `job_poll_interval` seconds
    # whether the result is there, give up (naming the result) after `job_max_wait` seconds.
    job_poll_interval: float = 15.0
    job_max_wait: float = 900.0

    def __post_init__(self) -> None:
        if not (self.connect_timeout > 0 and self.read_timeout > 0):
            raise FetchError("timeouts must be positive seconds", kind="usage")
        if self.max_attempts < 1:
            raise FetchError("max_attempts must be at least 1", kind="usage")
        if min(self.backoff_base, self.backoff_max, self.retry_after_max) < 0:
            raise FetchError("backoff and Retry-After limits must not be negative", kind="usage")
        if not self.job_poll_interval > 0 or self.job_max_wait < 0:
            raise FetchError(
                "job_poll_interval must be positive and job_max_wait not negative (seconds)",
                kind="usage",
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClientSettings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, convert in (
            ("connect_timeout", float),
            ("read_timeout", float),
            ("max_attempts", int),
            ("backoff_base", float),
            ("job_poll_interval", float),
            ("job_max_wait", float),
        ):
            var = f"{ENV_PREFIX}{name.upper()}"
            raw = env.get(var, "").strip()
            if raw:
                try:
                    values[name] = convert(raw)
                except ValueError:
                    raise FetchError(
                        f"{var}={raw!r} is not a {'whole ' if convert is int else ''}number",
                        kind="usage",
                    ) from None
        return cls(**values)

    def delay(self, attempt: int) -> float:
        """Backoff before attempt `attempt + 1`."""
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))


@dataclass(frozen=True)
class _Table:
    """A table an endpoint delivered (unzipped member or plain ffcsv)."""

    file_name: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class _Status:
    """A JSON status answer instead of a table."""

    block: dict[str, Any]
    body: dict[str, Any]
    http_status: int


@dataclass(frozen=True)
class Fetched:
    """One fetched ffcsv table, as delivered (the unzipped member), with its provenance."""

    table: str
    database: str
    file_name: str
    content: bytes = field(repr=False)
    metadata: dict[str, Any] | None = field(default=None, repr=False)
    url: str = ""  # the endpoint that delivered the file (tablefile, or resultfile for a job)
    params: dict[str, str] = field(default_factory=dict)  # the selection sent (no secrets)
    job: str | None = None  # the GENESIS result table when the file came through a job
    notes: tuple[str, ...] = ()  # what the user should know about the request (e.g. adjusted)

    @property
    def how(self) -> str:
        """Provenance for the landing manifest."""
        return f"genesis_api:{self.database}:{self.table}"


# --- public functions ------------------------------------------------------------------


def env_suffix(database: str) -> str:
    """`regionalstatistik` → `REGIONALSTATISTIK`, `genesis-destatis` → `GENESIS_DESTATIS`."""
    return re.sub(r"[^A-Z0-9]", "_", database.upper())


def base_url_for(database: str, base_url: str | None = None) -> str:
    """The argument, else `SOZPLAN_GENESIS_URL_<DB>`, else the known URL of the database.

    https:// only (http:// for 127.0.0.1/localhost), no query or fragment; messages show the
    URL with any user name, password or query value masked.
    """
    url = base_url or os.environ.get(f"{ENV_PREFIX}URL_{env_suffix(database)}") or ""
    url = url or DATABASES.get(database, "")
    if not url:
        raise FetchError(
            f"unknown GENESIS database {database!r}: use one of {', '.join(DATABASES)} "
            f"or give its base URL (base_url= or {ENV_PREFIX}URL_{env_suffix(database)})",
            kind="usage",
            database=database,
        )
    parts = urlsplit(url)
    try:
        problem = "" if parts.port is None or parts.port > 0 else "has an unusable port"
    except ValueError:  # not a number, or out of range
        problem = "has an unusable port"
    if parts.scheme not in ("http", "https"):
        problem = "must start with https://"
    elif not parts.hostname:
        problem = "names no host"
    elif parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        problem = (
            "must start with https:// (plain http:// would send the GENESIS credentials "
            "unencrypted; it is accepted only for 127.0.0.1 and localhost)"
        )
    elif parts.query or parts.fragment:
        problem = (
            "must not carry a query or fragment (credentials go in "
            f"{ENV_PREFIX}TOKEN or {ENV_PREFIX}USERNAME/_PASSWORD, never in the URL)"
        )
    if problem:
        raise FetchError(
            f"base URL of {database} {problem}, found {mask_url(url)!r}",
            kind="usage",
            database=database,
        )
    return url.rstrip("/")


def mask_url(url: str) -> str:
    """`url` as messages show it: user name, password and every query value masked."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        netloc = ":".join(_MASK for _ in userinfo.split(":", 1)) + "@" + host
    query = "&".join(
        f"{pair.partition('=')[0]}={_MASK}" if "=" in pair else pair
        for pair in parts.query.split("&")
    )
    fragment = _MASK if parts.fragment else ""
    return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=fragment))


def _url_secrets(url: str) -> tuple[str, ...]:
    """The user name, password and query values written into a URL, as written and decoded
    (from four characters: shorter ones would garble messages and protect nothing)."""
    parts = urlsplit(url)
    found: list[str] = []
    if "@" in parts.netloc:
        found.extend(parts.netloc.rpartition("@")[0].split(":", 1))
    found.extend(pair.partition("=")[2] for pair in parts.query.split("&"))
    found.append(parts.fragment)
    both = [form for value in found for form in (value, unquote(value))]
    return tuple(sorted({v for v in both if len(v) >= 4}, key=len, reverse=True))


def fetch_table(
    table: str,
    database: str,
    *,
    base_url: str | None = None,
    credentials: Credentials | None = None,
    settings: ClientSettings | None = None,
    language: str = "de",
    startyear: int | str | None = None,
    endyear: int | str | None = None,
    regionalvariable: str | None = None,
    regionalkey: str | None = None,
    stand: str | None = None,
    params: Mapping[str, str] | None = None,
    with_metadata: bool = True,
    allow_job: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Fetched:
    """Fetch `table` as ffcsv (the unzipped `<TABLE>_<epochms>_<lang>_flat.csv`).

    `params` adds further tablefile parameters (e.g. `timeslices`, `classifyingvariable1`,
    `area`). With `with_metadata`, `metadata/table` is asked first: it fails fast on an
    unknown table or rejected credentials, its answer lands in `Fetched.metadata`, and it
    names the table's region variable: with `regionalkey` and no `regionalvariable` that
    variable is sent along, and a table with no regions below Germany is fetched whole
    (a Land filter would empty it; `Fetched.notes` says so). A table too large for a
    direct download is built as a GENESIS job (`allow_job`) and fetched when finished;
    `progress` hears what happens meanwhile. Raises `NoNewerData` when GENESIS has no
    (newer) data for the selection, `FetchError` otherwise.
    """
    _check_table(table, database)
    form = {"name": table, "area": "all", "compress": "false", "format": "ffcsv"}
    optional = {
        "startyear": startyear,
        "endyear": endyear,
        "regionalvariable": regionalvariable,
        "regionalkey": regionalkey,
        "stand": stand,
    }
    form.update({k: str(v) for k, v in optional.items() if v is not None and str(v) != ""})
    for key, value in (params or {}).items():
        if key.lower() in _RESERVED_PARAMS:
            raise FetchError(
                f"parameter {key!r} is set by the connector and cannot be overridden",
                kind="usage",
                database=database,
                table=table,
            )
        form[key] = str(value)
    form["language"] = language
    with _Client(database, table, base_url, credentials, settings, progress) as client:
        metadata = client.metadata(language) if with_metadata else None
        notes: list[str] = []
        if metadata is not None and form.get("regionalkey") and not form.get("regionalvariable"):
            variables = region_variables(metadata)
            below_germany = [v for v in variables if _region_depth(v) > 0]
            if below_germany:
                form["regionalvariable"] = below_germany[0]
            elif variables:
                notes.append(
                    f"table {table} has no regions below Germany ({', '.join(variables)}): "
                    f"fetched without the regional selection {form.pop('regionalkey')}"
                )
        return client.tablefile(form, metadata, allow_job=allow_job, notes=tuple(notes))


def fetch_result(
    table: str,
    database: str,
    result: str,
    *,
    base_url: str | None = None,
    credentials: Credentials | None = None,
    settings: ClientSettings | None = None,
    language: str = "de",
    progress: Callable[[str], None] | None = None,
) -> Fetched:
    """Wait for the GENESIS job result `result` (e.g. `12411-01-01-4_123456789`) of `table`
    and fetch it: for a job whose wait ran out in `fetch_table`."""
    _check_table(table, database)
    if not isinstance(result, str) or not _TABLE_CODE.fullmatch(result):
        raise FetchError(
            f"{result!r} is not a GENESIS result name (like {table}_123456789)",
            kind="usage",
            database=database,
            table=table,
        )
    with _Client(database, table, base_url, credentials, settings, progress) as client:
        return client.job_result(result, {"name": table, "language": language}, None, ())


def region_variables(metadata: Mapping[str, Any]) -> list[str]:
    """The region variables in a `metadata/table` answer, deepest first (`GEMEIN` before
    `KREISE` before `DINSG`): what `regionalkey` can select on."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            code = value.get("Code")
            if isinstance(code, str) and _region_depth(code) >= 0 and code not in found:
                found.append(code)
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    obj = metadata.get("Object")
    walk(obj.get("Structure") if isinstance(obj, Mapping) else None)
    return sorted(found, key=_region_depth, reverse=True)


def regional_keys(spec: str, laender: Iterable[str] = ()) -> str | None:
    """The `regionalkey` for `--regions`: "territory" → the Länder with wildcards ("16*"),
    "all" → None (no selection), else comma-separated keys ("16051,16052", "16*")."""
    text = spec.strip()
    if text.lower() == "all":
        return None
    if text.lower() == "territory":
        keys = [f"{land}*" for land in laender]
        if not keys:
            raise FetchError("the territory names no Länder to select", kind="usage")
        return ",".join(keys)
    keys = [k.strip() for k in text.split(",") if k.strip()]
    bad = [k for k in keys if not _REGION_KEY.fullmatch(k)]
    if not keys or bad:
        raise FetchError(
            f"--regions: expected territory, all or comma-separated region keys such as "
            f"16051,16052 or 16* (found {', '.join(bad) or repr(spec)})",
            kind="usage",
        )
    return ",".join(keys)


def parse_years(spec: str) -> tuple[int, int]:
    """`--years`: "2015-2025" → (2015, 2025), "2024" → (2024, 2024)."""
    match = _YEARS.fullmatch(spec.strip())
    if not match:
        raise FetchError(
            f"--years: expected a year or a range like 2015-2025, found {spec!r}", kind="usage"
        )
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first > last:
        raise FetchError(f"--years: {first} is after {last}", kind="usage")
    return first, last


def parse_stand(spec: str) -> str:
    """`--stand`: a date as GENESIS takes it (dd.mm.yyyy), from dd.mm.yyyy or yyyy-mm-dd."""
    text = spec.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).strftime("%d.%m.%Y")
        except ValueError:
            continue
    raise FetchError(
        f"--stand: expected a date like 31.03.2025 or 2025-03-31, found {spec!r}", kind="usage"
    )


def fetch_metadata(
    table: str,
    database: str,
    *,
    base_url: str | None = None,
    credentials: Credentials | None = None,
    settings: ClientSettings | None = None,
    language: str = "de",
) -> dict[str, Any]:
    """The `metadata/table` answer for `table` (checked `Status`, credentials masked)."""
    _check_table(table, database)
    with _Client(database, table, base_url, credentials, settings, None) as client:
        return client.metadata(language)


def save(fetched: Fetched, directory: Path | str) -> Path:
    """Write the fetched CSV as `<directory>/<file_name>` (atomically) and return the path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / fetched.file_name
    partial = directory / f".{fetched.file_name}.part"
    partial.write_bytes(fetched.content)
    partial.replace(target)
    return target


# --- internals -------------------------------------------------------------------------


def _env_hint(database: str) -> str:
    suffix = env_suffix(database)
    return (
        f"set {ENV_PREFIX}USERNAME and {ENV_PREFIX}PASSWORD, or {ENV_PREFIX}TOKEN "
        f"(for this database only: {ENV_PREFIX}USERNAME_{suffix} and "
        f"{ENV_PREFIX}PASSWORD_{suffix}, or {ENV_PREFIX}TOKEN_{suffix}); "
        "each GENESIS database has its own registration"
    )


def _is_latin1(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _check_table(table: str, database: str) -> None:
    if not isinstance(table, str) or not _TABLE_CODE.fullmatch(table):
        raise FetchError(
            f"{table!r} is not a GENESIS table code (letters, digits, '-', '_', '.')",
            kind="usage",
            database=database,
        )


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delay seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _looks_like_html(body: bytes, content_type: str = "") -> bool:
    start = body[:512].lstrip(_BOM + b" \t\r\n").lower()
    return "html" in content_type.lower() or start.startswith(
        (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<!--")
    )


def _status_block(body: bytes) -> dict[str, Any] | None:
    """The GENESIS status of a JSON answer: nested `Status` object or a flat Code/Content."""
    try:
        payload = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    status = payload.get("Status")
    if isinstance(status, dict) and "Code" in status:
        return status
    if "Code" in payload and "Content" in payload:
        return payload
    return None


def _code(status: Mapping[str, Any]) -> int | None:
    try:
        return int(status.get("Code"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _region_depth(code: str) -> int:
    """Depth of a region variable (0 = Germany, 5 = Gemeinden), -1 if `code` is none."""
    if code in _REGION_DEPTH:
        return _REGION_DEPTH[code]
    if code.startswith("GEO"):
        for prefix, depth in _ZENSUS_REGION_DEPTH:
            if code.startswith(prefix):
                return depth
        return 4  # another Zensus region variable below the Länder
    return -1


def _is_credentials(status: Mapping[str, Any]) -> bool:
    text = str(status.get("Content") or "").lower()
    return _code(status) == STATUS_CREDENTIALS or any(t in text for t in _CREDENTIAL_TEXTS)


def _is_no_data(status: Mapping[str, Any]) -> bool:
    text = str(status.get("Content") or "").lower()
    return _code(status) == STATUS_NO_NEWER_DATA or any(t in text for t in _NO_DATA_TEXTS)


def _is_too_large(status: Mapping[str, Any]) -> bool:
    text = str(status.get("Content") or "").lower()
    return _code(status) == STATUS_TOO_LARGE or any(t in text for t in _TOO_LARGE_TEXTS)


def _job_name(status: Mapping[str, Any], body: Mapping[str, Any], table: str) -> str | None:
    """The result table a job answer names: `<TABLE>_<number>` in `Status.Content` (after
    "…mit folgendem Namen abgerufen werden: "), else in `Object`."""
    texts = [str(status.get("Content") or "")]
    obj = body.get("Object")
    texts.append(str(obj.get("Code") or "") if isinstance(obj, Mapping) else str(obj or ""))
    own = re.compile(rf"(?<![\w-]){re.escape(table)}_\d+(?!\w)", re.IGNORECASE)
    other = re.compile(r":\s*([A-Za-z0-9][A-Za-z0-9.-]*_\d+)(?!\w)")
    for text in texts:
        match = own.search(text)
        if match:
            return match.group(0)
    for text in texts:
        match = other.search(text)
        if match:
            return match.group(1)
    return None


def _selection_text(form: Mapping[str, str]) -> str:
    """The selection of a tablefile form in words, for messages."""
    parts = []
    if form.get("stand"):
        parts.append(f"updated after {form['stand']}")
    years = [form.get("startyear"), form.get("endyear")]
    if any(years):
        first, last = years[0] or "…", years[1] or "…"
        parts.append(f"years {first}" if first == last else f"years {first}–{last}")
    if form.get("regionalkey"):
        variable = form.get("regionalvariable")
        parts.append(f"regions {form['regionalkey']}" + (f" ({variable})" if variable else ""))
    return ", ".join(parts)


def _short(body: bytes, limit: int = 80) -> str:
    text = body[:limit].decode("utf-8", errors="replace")
    return repr(text) + ("…" if len(body) > limit else "")


def _network_reason(exc: Exception) -> str:
    text = str(exc)
    errno = re.search(r"\[Errno -?\d+\][^'\")]*", text)
    if errno:
        return errno.group(0).strip()
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection broke while the answer was being read"
    return text[:300]


def _mask_credentials(value: Any, secrets: Iterable[str]) -> Any:
    """Copy of a JSON value with `username`/`password` entries and any secret text masked."""
    secrets = tuple(secrets)
    if isinstance(value, dict):
        return {
            k: (
                _MASK
                if str(k).lower() in _CREDENTIAL_KEYS and v not in (None, "")
                else _mask_credentials(v, secrets)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_credentials(v, secrets) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, _MASK)
    return value


class _Client:
    """One session against one database for one table: posting, retrying, judging answers."""

    def __init__(
        self,
        database: str,
        table: str,
        base_url: str | None,
        credentials: Credentials | None,
        settings: ClientSettings | None,
        progress: Callable[[str], None] | None,
    ):
        self.database = database
        self.table = table
        self.base_url = base_url_for(database, base_url)
        self.shown_url = mask_url(self.base_url)  # for messages, logs and `Fetched.url`
        self.credentials = credentials or Credentials.from_env(database)
        self.credentials.check(database)
        self.settings = settings or ClientSettings.from_env()
        self.progress = progress
        self.session = requests.Session()

    def tell(self, message: str) -> None:
        """Log `message` and pass it to the caller's progress callback (no secrets in it)."""
        message = self._redact(message)
        log.info("%s", message)
        if self.progress is not None:
            self.progress(message)

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    # errors --------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        text = text.replace(self.base_url, self.shown_url)
        for secret in (*self.credentials.secrets(), *_url_secrets(self.base_url)):
            text = text.replace(secret, _MASK)
        return text

    def error(self, message: str, kind: str, **details: Any) -> FetchError:
        return FetchError(
            self._redact(message), kind=kind, database=self.database, table=self.table, **details
        )

    def credentials_error(self, detail: str, **details: Any) -> FetchError:
        return self.error(
            f"credentials rejected by {self.database} ({detail}; credentials from "
            f"{self.credentials.source}): {_env_hint(self.database)}",
            "credentials",
            **details,
        )

    def status_error(
        self, status: Mapping[str, Any], what: str, http_status: int, job: str | None = None
    ) -> FetchError:
        """The FetchError for a GENESIS status block that is not ok."""
        code_raw = status.get("Code")
        code = _code(status)
        content = str(status.get("Content") or "").strip()
        kind_text = str(status.get("Type") or "").strip()
        text = content.lower()
        said = f"GENESIS status {code_raw}" + (f" ({kind_text})" if kind_text else "")
        said += f": {content}" if content else ""
        details = {"genesis_code": code, "http_status": http_status, "job": job}
        if _is_credentials(status):
            return self.credentials_error(said, **details)
        if code == STATUS_JOB_CREATED or any(t in text for t in _JOB_TEXTS):
            return self.error(
                f"{self.database} started a background job for table {self.table} but its "
                f"answer to {what} names no result table to fetch ({said}); look for it in "
                "the GENESIS web interface, or request a smaller selection (years, regions)",
                "status",
                **details,
            )
        if _is_too_large(status):
            return self.error(
                f"table {self.table} is too large for a direct download from {self.database} "
                f"({said}): request a smaller selection (startyear/endyear, "
                "regionalvariable/regionalkey) or let the connector build it as a GENESIS job "
                "(allow_job)",
                "too_large",
                **details,
            )
        return self.error(f"{self.database} answered {what} with {said}", "status", **details)

    def no_newer_data(self, status: Mapping[str, Any], form: Mapping[str, str]) -> NoNewerData:
        content = str(status.get("Content") or "").strip()
        said = f"GENESIS status {status.get('Code')}" + (f": {content}" if content else "")
        selection = _selection_text(form)
        return NoNewerData(
            self._redact(
                f"no newer data for {self.table} ({self.database}"
                + (f", {selection}" if selection else "")
                + f"; {said}): nothing fetched"
            ),
            kind="no_newer_data",
            database=self.database,
            table=self.table,
            genesis_code=_code(status),
        )

    # HTTP ----------------------------------------------------------------------------

    def post(self, endpoint: str, form: Mapping[str, str]) -> requests.Response:
        """POST with retries; returns any answer that is not retryable (checked: no 3xx/401/403)."""
        url = f"{self.base_url}/{endpoint}"
        shown = f"{self.shown_url}/{endpoint}"
        what = f"{endpoint} {self.table}"
        headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/x-www-form-urlencoded",
            **self.credentials.headers(),
        }
        settings = self.settings
        timeout = (settings.connect_timeout, settings.read_timeout)
        for attempt in range(1, settings.max_attempts + 1):
            retry_after: float | None = None
            tls_problem = request_problem = ""
            log.info(
                "POST %s (table %s, attempt %d of %d)",
                shown,
                self.table,
                attempt,
                settings.max_attempts,
            )
            try:
                response = self.session.post(
                    url, data=dict(form), headers=headers, timeout=timeout, allow_redirects=False
                )
            except requests.exceptions.SSLError as exc:
                # Not retried; raised below, outside this block, so that the exception (whose
                # request holds the credential headers) is not chained to the FetchError.
                tls_problem = _network_reason(exc)
                kind = problem = ""
            except (
                requests.exceptions.ConnectionError,
                requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                reason = _network_reason(exc)
                if isinstance(exc, requests.exceptions.ConnectTimeout):
                    kind = "timeout"
                    problem = f"no connection within {settings.connect_timeout:g} s"
                elif isinstance(exc, requests.exceptions.ReadTimeout) or "timed out" in reason:
                    kind = "timeout"
                    problem = f"no answer within the read timeout of {settings.read_timeout:g} s"
                else:
                    kind = "connection"
                    problem = f"connection failed: {reason}"
            except (requests.exceptions.RequestException, ValueError) as exc:
                # A URL or request the HTTP library refuses (its text may hold the URL):
                # not retried, raised below without the exception chained.
                request_problem = f"{type(exc).__name__}: {_network_reason(exc)}"
                kind = problem = ""
            else:
                status = response.status_code
                if status != 429 and status < 500:
                    return self.check_http(response, what)
                kind = "http"
                problem = f"HTTP {status}"
                if _looks_like_html(response.content, response.headers.get("Content-Type", "")):
                    problem += " with an HTML page (maintenance?)"
                retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
            if tls_problem:
                raise self.error(
                    f"TLS error talking to {self.database} ({shown}): {tls_problem}",
                    "connection",
                    attempts=attempt,
                )
            if request_problem:
                raise self.error(
                    f"cannot send {what} to {self.database} ({shown}): {request_problem}; "
                    "check the base URL",
                    "usage",
                    attempts=attempt,
                )
            if attempt == settings.max_attempts:
                raise self.final_error(kind, problem, what, shown, attempt)
            delay = settings.delay(attempt)
            if retry_after is not None:
                delay = max(delay, min(retry_after, settings.retry_after_max))
            log.warning(
                "%s from %s: %s; retrying in %.2f s (attempt %d of %d)",
                what,
                self.database,
                self._redact(problem),
                delay,
                attempt + 1,
                settings.max_attempts,
            )
            time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def final_error(
        self, kind: str, problem: str, what: str, url: str, attempts: int
    ) -> FetchError:
        tries = f"{attempts} attempt{'s' if attempts > 1 else ''}"
        if kind == "timeout":
            advice = (
                "GENESIS builds large tables slowly: raise the read timeout "
                f"(read_timeout= or {ENV_PREFIX}READ_TIMEOUT) or request a smaller selection"
                if "read timeout" in problem
                else "check the network, proxy settings and the base URL"
            )
            message = f"{self.database} ({url}) gave up on {what}: {problem}, {tries}; {advice}"
        elif kind == "connection":
            message = (
                f"could not reach {self.database} ({url}) for {what}: {problem}, {tries}; "
                "check the network, proxy settings and the base URL"
            )
        else:
            message = (
                f"{self.database} ({url}) answered {what} with {problem}, {tries}; "
                "the service may be down or in maintenance, try again later"
            )
        http_status = int(problem.split()[1]) if problem.startswith("HTTP ") else None
        return self.error(message, kind, attempts=attempts, http_status=http_status)

    def check_http(self, response: requests.Response, what: str) -> requests.Response:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location", "?")
            raise self.error(
                f"{self.database} redirected {what} (HTTP {status}) to {location!r} instead of "
                "answering (maintenance or login page?); redirects are not followed so the "
                "credentials stay with the configured host",
                "redirect",
                http_status=status,
            )
        block = _status_block(response.content)
        if status in (401, 403):
            detail = f"HTTP {status}"
            if block is not None:
                detail += f", GENESIS status {block.get('Code')}: {block.get('Content')}"
            raise self.credentials_error(detail, http_status=status)
        if status >= 400:
            if block is not None:
                raise self.status_error(block, what, status)
            html = _looks_like_html(response.content, response.headers.get("Content-Type", ""))
            raise self.error(
                f"{self.database} answered {what} with HTTP {status}"
                + (" and an HTML page" if html else "")
                + f" (first bytes: {_short(response.content)})",
                "http",
                http_status=status,
            )
        return response

    # endpoints -----------------------------------------------------------------------

    def json_answer(
        self, response: requests.Response, what: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The JSON body of an answer and its GENESIS status block (checked to be there)."""
        body = response.content
        if _looks_like_html(body, response.headers.get("Content-Type", "")):
            raise self.error(
                f"expected JSON from {self.database} for {what}, found an HTML page "
                "(maintenance or login page?)",
                "html",
                http_status=response.status_code,
            )
        try:
            payload = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise self.error(
                f"expected JSON from {self.database} for {what}, found {_short(body)}",
                "format",
                http_status=response.status_code,
            ) from None
        block = _status_block(body)
        if block is None or not isinstance(payload, dict):
            raise self.error(
                f"expected JSON with a Status from {self.database} for {what}, found "
                f"{_short(body)}",
                "format",
            )
        return payload, block

    def metadata(self, language: str) -> dict[str, Any]:
        form = {"name": self.table, "area": "all", "language": language}
        response = self.post(METADATA_TABLE, form)
        what = f"{METADATA_TABLE} {self.table}"
        payload, block = self.json_answer(response, what)
        code = _code(block)
        if code not in STATUS_OK or str(block.get("Type", "")).lower() in ("fehler", "error"):
            raise self.status_error(block, what, response.status_code)
        if code != 0:
            log.warning(
                "%s: GENESIS status %s: %s", what, code, self._redact(str(block.get("Content")))
            )
        return _mask_credentials(payload, self.credentials.secrets())

    def tablefile(
        self,
        form: Mapping[str, str],
        metadata: dict[str, Any] | None,
        *,
        allow_job: bool,
        notes: tuple[str, ...],
    ) -> Fetched:
        """The table of `form`; through a GENESIS job when it is too large to come directly."""
        what = f"{TABLEFILE} {self.table}"
        answer = self.download(TABLEFILE, form)
        if isinstance(answer, _Table):
            return self.fetched(answer, TABLEFILE, form, metadata, notes)
        status = answer.block
        if _is_credentials(status):  # before anything else: "Zugang verweigert" may come as 98
            raise self.status_error(status, what, answer.http_status)
        if _is_no_data(status):
            raise self.no_newer_data(status, form)
        result = _job_name(status, answer.body, self.table)
        if result is None and _is_too_large(status) and allow_job:
            return self.start_job(form, metadata, notes, status)
        if result is None:
            raise self.status_error(status, what, answer.http_status)
        # The server made a job by itself: wait for it like for one we asked for.
        return self.job_result(result, form, metadata, notes)

    def start_job(
        self,
        form: Mapping[str, str],
        metadata: dict[str, Any] | None,
        notes: tuple[str, ...],
        refusal: Mapping[str, Any],
    ) -> Fetched:
        """Ask again with `job=true` and fetch the job's result when it is finished."""
        said = f"GENESIS status {refusal.get('Code')}: {str(refusal.get('Content') or '')}"
        if not self.credentials.password:
            raise self.error(
                f"table {self.table} is too large for a direct download from {self.database} "
                f"({said.strip()}); GENESIS builds it only as a background job, and a job "
                f"cannot be started with a token (credentials from {self.credentials.source}): "
                f"set {ENV_PREFIX}USERNAME and {ENV_PREFIX}PASSWORD (or "
                f"{ENV_PREFIX}USERNAME_{env_suffix(self.database)} and "
                f"{ENV_PREFIX}PASSWORD_{env_suffix(self.database)}) instead, or request a "
                "smaller selection (years, regions)",
                "too_large",
                genesis_code=_code(refusal),
            )
        self.tell(
            f"table {self.table} is too large for a direct download from {self.database}: "
            "asking GENESIS to build it as a background job"
        )
        job_form = {**form, "job": "true"}
        what = f"{TABLEFILE} {self.table} (job=true)"
        answer = self.download(TABLEFILE, job_form)
        if isinstance(answer, _Table):  # small enough after all
            return self.fetched(answer, TABLEFILE, job_form, metadata, notes)
        status = answer.block
        if _is_no_data(status):
            raise self.no_newer_data(status, form)
        result = _job_name(status, answer.body, self.table)
        if result is None:
            raise self.status_error(status, what, answer.http_status)
        return self.job_result(result, job_form, metadata, notes)

    def job_result(
        self,
        result: str,
        form: Mapping[str, str],
        metadata: dict[str, Any] | None,
        notes: tuple[str, ...],
    ) -> Fetched:
        """Poll `catalogue/results` until `result` is there, then fetch it (`data/resultfile`).

        Gives up after `job_max_wait` seconds with a FetchError that names the result.
        """
        settings = self.settings
        language = form.get("language", "de")
        self.tell(f"GENESIS job result {result}: waiting for it to be finished …")
        started = time.monotonic()
        while not self.result_ready(result, language):
            waited = time.monotonic() - started
            if waited + settings.job_poll_interval > settings.job_max_wait:
                raise self.error(
                    f"the GENESIS job for table {self.table} on {self.database} is not finished "
                    f"after {waited:.0f} s (limit {settings.job_max_wait:g} s, "
                    f"{ENV_PREFIX}JOB_MAX_WAIT); its result table is {result}: fetch it later "
                    f"with `sozplan fetch {self.table} --database {self.database} --job "
                    f"{result}`",
                    "job_timeout",
                    job=result,
                )
            if waited >= 1:
                self.tell(f"GENESIS job result {result}: not finished after {waited:.0f} s")
            time.sleep(settings.job_poll_interval)
        self.tell(f"GENESIS job result {result} is finished: downloading it")
        result_form = {
            "name": result,
            "area": "all",
            "compress": "false",
            "format": "ffcsv",
            "language": language,
        }
        answer = self.download(RESULTFILE, result_form)
        if isinstance(answer, _Table):
            return self.fetched(answer, RESULTFILE, form, metadata, notes, job=result)
        if _is_no_data(answer.block):
            raise self.no_newer_data(answer.block, form)
        raise self.status_error(
            answer.block, f"{RESULTFILE} {result}", answer.http_status, job=result
        )

    def result_ready(self, result: str, language: str) -> bool:
        """Whether `catalogue/results` lists `result` as finished."""
        form = {"selection": result, "area": "all", "pagelength": "100", "language": language}
        what = f"{RESULTS} {result}"
        response = self.post(RESULTS, form)
        payload, block = self.json_answer(response, what)
        code = _code(block)
        text = str(block.get("Content") or "").lower()
        if code in STATUS_NO_OBJECTS or any(t in text for t in _NO_OBJECT_TEXTS):
            return False
        if code not in STATUS_OK or str(block.get("Type", "")).lower() in ("fehler", "error"):
            raise self.status_error(block, what, response.status_code, job=result)
        for entry in payload.get("List") or []:
            if not isinstance(entry, Mapping):
                continue
            if str(entry.get("Code") or "").strip().lower() != result.lower():
                continue
            state = str(entry.get("State") or entry.get("Status") or "").lower()
            if any(t in state for t in _FAILED_STATES):
                raise self.error(
                    f"the GENESIS job {result} for table {self.table} on {self.database} "
                    f"failed (state {entry.get('State') or entry.get('Status')!r}); start it "
                    "again or request a smaller selection",
                    "job_failed",
                    job=result,
                )
            return not any(t in state for t in _PENDING_STATES)
        return False

    def download(self, endpoint: str, form: Mapping[str, str]) -> _Table | _Status:
        """An ffcsv table from `endpoint`, or the JSON status GENESIS sent instead."""
        response = self.post(endpoint, form)
        body = response.content
        what = f"{endpoint} {form.get('name', self.table)}"
        expected = "expected a ZIP with an ffcsv table"
        if body.startswith(_ZIP_MAGIC):
            file_name, content = self.unzip(body, expected)
        elif body.lstrip(_BOM).startswith(FFCSV_HEADER):
            file_name, content = self.plain_name(response, form), body
        elif not body.strip():
            raise self.error(f"{expected}, found an empty answer to {what}", "format")
        elif _looks_like_html(body, response.headers.get("Content-Type", "")):
            raise self.error(
                f"{expected}, found an HTML page (maintenance or login page?) in the answer to "
                f"{what}",
                "html",
                http_status=response.status_code,
            )
        else:
            block = _status_block(body)
            if block is None:
                raise self.error(
                    f"{expected}, found {_short(body)} in the answer to {what}", "format"
                )
            payload = json.loads(body.decode("utf-8-sig"))
            status = _Status(
                block, payload if isinstance(payload, dict) else {}, response.status_code
            )
            if _code(block) in STATUS_OK and _job_name(block, status.body, self.table) is None:
                raise self.error(
                    f"{expected}, found a JSON answer (GENESIS status {block.get('Code')}: "
                    f"{block.get('Content')}) to {what}",
                    "format",
                )
            return status
        if not content.lstrip(_BOM).startswith(FFCSV_HEADER):
            raise self.error(
                f"{expected}, found {file_name} starting with {_short(content.lstrip(_BOM))} "
                "instead of the ffcsv header 'statistics_code;…'",
                "format",
            )
        return _Table(file_name, content)

    def fetched(
        self,
        table: _Table,
        endpoint: str,
        form: Mapping[str, str],
        metadata: dict[str, Any] | None,
        notes: tuple[str, ...],
        job: str | None = None,
    ) -> Fetched:
        file_name = table.file_name
        if job is not None and not (
            file_name.startswith(self.table) and file_name.lower().endswith("_flat.csv")
        ):
            # Name it like a tablefile member so contracts' file patterns know it.
            number = job.rsplit("_", 1)[-1]
            file_name = f"{self.table}_{number}_{form.get('language', 'de')}_flat.csv"
        log.info(
            "fetched %s from %s: %s, %d bytes",
            self.table,
            self.database,
            file_name,
            len(table.content),
        )
        return Fetched(
            table=self.table,
            database=self.database,
            file_name=file_name,
            content=table.content,
            metadata=metadata,
            url=f"{self.shown_url}/{endpoint}",
            params=dict(form),
            job=job,
            notes=notes,
        )

    def unzip(self, body: bytes, expected: str) -> tuple[str, bytes]:
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                members = [i for i in archive.infolist() if not i.is_dir()]
                tables = [i for i in members if i.filename.lower().endswith(".csv")]
                if len(tables) > 1:
                    tables = [i for i in tables if i.filename.lower().endswith("_flat.csv")]
                if len(tables) != 1:
                    names = ", ".join(i.filename for i in members) or "none"
                    found = "no CSV member" if not tables else "several CSV members"
                    raise self.error(
                        f"{expected}, found a ZIP with {found} (members: {names})", "zip"
                    )
                member = tables[0]
                content = archive.read(member)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
            raise self.error(
                f"{expected}, found a damaged ZIP ({type(exc).__name__}: {exc}); the download "
                "may have been cut short, try again",
                "zip",
            ) from None
        name = PurePosixPath(member.filename.replace("\\", "/")).name
        if not _FILE_NAME.fullmatch(name):
            raise self.error(
                f"{expected}, found a ZIP member with an unusable file name {member.filename!r}",
                "zip",
            )
        return name, content

    def plain_name(self, response: requests.Response, form: Mapping[str, str]) -> str:
        """Name for an unzipped answer: from Content-Disposition, else GENESIS-style."""
        disposition = response.headers.get("Content-Disposition", "")
        match = re.search(r'filename="?([^";]+)"?', disposition)
        if match:
            name = PurePosixPath(match.group(1).replace("\\", "/")).name
            if _FILE_NAME.fullmatch(name) and name.lower().endswith(".csv"):
                return name
        stamp = int(time.time() * 1000)
        return f"{self.table}_{stamp}_{form.get('language', 'de')}_flat.csv"
