"""The GENESIS REST connector against a real HTTP server on 127.0.0.1 (no internet).

The server (stdlib `ThreadingHTTPServer`) plays back recorded answers: a ZIP built from a
small ffcsv written here or from a real reference file, real `metadata/table` JSON, and the
error answers GENESIS gives (HTTP 200 with a JSON status, 401, 5xx, HTML pages). It records
every request (method, path, headers, form body) so the tests check what was sent.
`JobProtocol` plays the background-job protocol of large tables (98 → `job=true` → 99 →
`catalogue/results` pending, then finished → `data/resultfile`) and refuses requests that
are not POST with the credentials in the headers, as GENESIS does since July 2025.
"""

from __future__ import annotations

import base64
import email.utils
import io
import json
import logging
import os
import socket
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from pipelines import cli
from pipelines.connectors import genesis_api
from pipelines.connectors.genesis_api import (
    ClientSettings,
    Credentials,
    Fetched,
    FetchError,
    NoNewerData,
    fetch_metadata,
    fetch_result,
    fetch_table,
    parse_stand,
    parse_years,
    region_variables,
    regional_keys,
    save,
)

REFERENCE_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
FFCSV_DIR = REFERENCE_DIR / "genesis_ffcsv"
needs_reference = pytest.mark.skipif(
    not FFCSV_DIR.is_dir(),
    reason=f"tests/fixtures/real is absent: {FFCSV_DIR} not found "
    "(it sits beside the project checkout on developer machines and in CI)",
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BASE_PATH = "/genesisws/rest/2020"
TABLEFILE = f"{BASE_PATH}/data/tablefile"
RESULTFILE = f"{BASE_PATH}/data/resultfile"
RESULTS = f"{BASE_PATH}/catalogue/results"
METADATA = f"{BASE_PATH}/metadata/table"
USERNAME = "planer-7Qx2"
PASSWORD = "s3cr3t-Pa55-wort-9931"
TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SECRETS = (USERNAME, PASSWORD, TOKEN)
FAST = ClientSettings(
    connect_timeout=1.0,
    read_timeout=2.0,
    max_attempts=4,
    backoff_base=0.01,
    job_poll_interval=0.02,
    job_max_wait=5.0,
)

SMALL_TABLE = "12411-01-01-4"
SMALL_MEMBER = "12411-01-01-4_1743412345678_de_flat.csv"
SMALL_FFCSV = (
    "\ufeffstatistics_code;statistics_label;time_code;time_label;time;1_variable_code;"
    "1_variable_label;1_variable_attribute_code;1_variable_attribute_label;value;value_unit;"
    "value_variable_code;value_variable_label\n"
    "12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;2024-12-31;KREISE;"
    "Kreise und kreisfreie Städte;16051;Erfurt, kreisfreie Stadt;218793;Anzahl;BEVSTD;"
    "Bevölkerungsstand\n"
    "12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;2024-12-31;KREISE;"
    "Kreise und kreisfreie Städte;16056;Eisenach, kreisfreie Stadt;-;Anzahl;BEVSTD;"
    "Bevölkerungsstand\n"
).encode()
SMALL_METADATA = {
    "Ident": {"Service": "metadata", "Method": "table"},
    "Status": {"Code": 0, "Content": "erfolgreich", "Type": "Information"},
    "Parameter": {"username": USERNAME, "password": PASSWORD, "name": SMALL_TABLE},
    "Object": {"Code": SMALL_TABLE, "Content": "Bevölkerung nach Geschlecht"},
}
MAINTENANCE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Wartungsarbeiten</title></head>"
    b"<body>Die Datenbank ist wegen Wartungsarbeiten nicht erreichbar.</body></html>"
)


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def status_json(
    code: int, content: str, kind: str = "Fehler", method: str = "data/tablefile", **extra: object
) -> bytes:
    service, name = method.split("/")
    return json.dumps(
        {
            "Ident": {"Service": service, "Method": name},
            "Status": {"Code": code, "Content": content, "Type": kind},
            **extra,
        },
        ensure_ascii=False,
    ).encode()


def masked(metadata: dict) -> dict:
    """The metadata as the connector returns it: echoed credentials replaced by asterisks."""
    parameter = {**metadata["Parameter"], "username": "********", "password": "********"}
    return {**metadata, "Parameter": parameter}


# --- the recording server ----------------------------------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before answering (timeouts)


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    form: dict[str, list[str]]
    at: float


Script = Answer | Callable[[Recorded], Answer]


class GenesisStub:
    """Answers per path, played in order (the last one repeats); records every request.

    An answer may be a function of the request (a server that follows a protocol).
    """

    def __init__(self) -> None:
        self.script: dict[str, list[Script]] = {}
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                self._answer()

            def do_GET(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                with stub.lock:
                    recorded = Recorded(
                        method=self.command,
                        path=url.path,
                        query=url.query,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        form=parse_qs(raw.decode("latin-1"), keep_blank_values=True),
                        at=time.monotonic(),
                    )
                    stub.requests.append(recorded)
                    queue = stub.script.get(url.path) or [Answer(404, b"no such path")]
                    item = queue.pop(0) if len(queue) > 1 else queue[0]
                    answer = item(recorded) if callable(item) else item
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers:
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:  # the client gave up (timeout tests)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}{BASE_PATH}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def play(self, path: str, *answers: Script) -> None:
        self.script[path] = list(answers)

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]


@pytest.fixture
def stub() -> Iterator[GenesisStub]:
    server = GenesisStub()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer credentials, territory or proxies leak into the tests; credentials are the
    fakes."""
    for name in list(os.environ):
        if name.startswith("SOZPLAN_GENESIS_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("SOZPLAN_TERRITORY_DIR", raising=False)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    monkeypatch.setenv("SOZPLAN_GENESIS_USERNAME", USERNAME)
    monkeypatch.setenv("SOZPLAN_GENESIS_PASSWORD", PASSWORD)


def ok_zip(stub: GenesisStub, member: str = SMALL_MEMBER, data: bytes = SMALL_FFCSV) -> None:
    stub.play(
        TABLEFILE,
        Answer(
            200,
            make_zip({member: data}),
            (
                ("Content-Type", "application/zip"),
                ("Content-Disposition", f"attachment; filename={member[:-4]}.zip"),
            ),
        ),
    )


def fetch(stub: GenesisStub, **kwargs: object) -> Fetched:
    kwargs.setdefault("settings", FAST)
    kwargs.setdefault("with_metadata", False)
    return fetch_table(
        SMALL_TABLE,
        "regionalstatistik",
        base_url=stub.base_url,
        **kwargs,  # type: ignore[arg-type]
    )


def fetch_error(stub: GenesisStub, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(stub, **kwargs)
    return caught.value


# --- success -------------------------------------------------------------------------------


def test_success_returns_the_member_and_sends_post_form_and_header_credentials(
    stub: GenesisStub,
) -> None:
    ok_zip(stub)
    fetched = fetch(stub)
    assert fetched.content == SMALL_FFCSV
    assert fetched.file_name == SMALL_MEMBER
    assert (fetched.table, fetched.database, fetched.metadata) == (
        SMALL_TABLE,
        "regionalstatistik",
        None,
    )
    assert fetched.how == "genesis_api:regionalstatistik:12411-01-01-4"
    [request] = stub.requests
    assert request.method == "POST"
    assert request.path == TABLEFILE
    assert request.query == ""  # nothing in the URL, least of all credentials
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["username"] == USERNAME
    assert request.headers["password"] == PASSWORD
    assert request.form == {
        "name": [SMALL_TABLE],
        "area": ["all"],
        "compress": ["false"],
        "format": ["ffcsv"],
        "language": ["de"],
    }
    assert fetched.params == {k: v[0] for k, v in request.form.items()}


@needs_reference
def test_success_with_a_real_reference_table_and_its_metadata(stub: GenesisStub) -> None:
    original = (FFCSV_DIR / "12411-01-01-4_de_flat.csv").read_bytes()
    metadata_body = (FFCSV_DIR / "12411-01-01-4_metadata.json").read_bytes()
    ok_zip(stub, data=original)
    stub.play(METADATA, Answer(200, metadata_body, (("Content-Type", "application/json"),)))
    fetched = fetch(stub, with_metadata=True)
    assert fetched.content == original
    assert fetched.file_name == SMALL_MEMBER
    assert fetched.metadata == masked(json.loads(metadata_body))
    assert fetched.metadata["Object"]["Code"] == SMALL_TABLE
    # metadata first (fails fast on unknown tables and credentials), then the table
    assert [r.path for r in stub.requests] == [METADATA, TABLEFILE]
    assert stub.requests[0].form == {"name": [SMALL_TABLE], "area": ["all"], "language": ["de"]}


def test_selection_parameters_are_sent(stub: GenesisStub) -> None:
    ok_zip(stub)
    fetch(
        stub,
        startyear=2020,
        endyear="2024",
        regionalvariable="KREISE",
        regionalkey="16*",
        params={"classifyingvariable1": "GES"},
    )
    form = stub.requests[0].form
    assert form["startyear"] == ["2020"] and form["endyear"] == ["2024"]
    assert form["regionalvariable"] == ["KREISE"] and form["regionalkey"] == ["16*"]
    assert form["classifyingvariable1"] == ["GES"]


def test_reserved_parameters_cannot_be_overridden(stub: GenesisStub) -> None:
    error = fetch_error(stub, params={"format": "csv"})
    assert error.kind == "usage" and "'format'" in str(error)
    assert stub.requests == []


def test_base_url_and_token_from_environment(
    stub: GenesisStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok_zip(stub)
    monkeypatch.setenv("SOZPLAN_GENESIS_URL_REGIONALSTATISTIK", stub.base_url)
    monkeypatch.setenv("SOZPLAN_GENESIS_TOKEN_REGIONALSTATISTIK", TOKEN)
    fetched = fetch_table(SMALL_TABLE, "regionalstatistik", settings=FAST, with_metadata=False)
    assert fetched.content == SMALL_FFCSV
    headers = stub.requests[0].headers
    # the per-database token wins over the generic user name/password; password stays empty
    assert (headers["username"], headers["password"]) == (TOKEN, "")


def test_credentials_from_env_precedence() -> None:
    env = {
        "SOZPLAN_GENESIS_USERNAME": "generic",
        "SOZPLAN_GENESIS_PASSWORD": "generic-pw",
        "SOZPLAN_GENESIS_USERNAME_ZENSUS2022": "zensus-user",
        "SOZPLAN_GENESIS_PASSWORD_ZENSUS2022": "zensus-pw",
    }
    zensus = Credentials.from_env("zensus2022", env)
    assert (zensus.username, zensus.password) == ("zensus-user", "zensus-pw")
    destatis = Credentials.from_env("genesis-destatis", env)
    assert (destatis.username, destatis.source) == (
        "generic",
        "SOZPLAN_GENESIS_USERNAME/SOZPLAN_GENESIS_PASSWORD",
    )
    token = Credentials.from_env("genesis-destatis", {**env, "SOZPLAN_GENESIS_TOKEN": "tok"})
    assert (token.username, token.password) == ("tok", "")
    with pytest.raises(FetchError, match="SOZPLAN_GENESIS_PASSWORD_ZENSUS2022 is not"):
        Credentials.from_env("zensus2022", {"SOZPLAN_GENESIS_USERNAME_ZENSUS2022": "u"})
    with pytest.raises(FetchError, match="SOZPLAN_GENESIS_TOKEN_GENESIS_DESTATIS") as caught:
        Credentials.from_env("genesis-destatis", {})
    assert caught.value.kind == "credentials"


def test_unplain_credentials_are_refused_without_echoing_them(stub: GenesisStub) -> None:
    error = fetch_error(stub, credentials=Credentials(USERNAME, PASSWORD + "\n"))
    assert error.kind == "credentials" and PASSWORD not in str(error)
    assert stub.requests == []


def test_unzipped_ffcsv_answer_is_accepted_too(stub: GenesisStub) -> None:
    stub.play(
        TABLEFILE,
        Answer(
            200,
            SMALL_FFCSV,
            (("Content-Disposition", f'attachment; filename="{SMALL_MEMBER}"'),),
        ),
    )
    fetched = fetch(stub)
    assert (fetched.file_name, fetched.content) == (SMALL_MEMBER, SMALL_FFCSV)


def test_save_writes_the_file_under_its_name(stub: GenesisStub, tmp_path: Path) -> None:
    ok_zip(stub)
    path = save(fetch(stub), tmp_path / "incoming")
    assert path == tmp_path / "incoming" / SMALL_MEMBER
    assert path.read_bytes() == SMALL_FFCSV
    assert [p.name for p in path.parent.iterdir()] == [SMALL_MEMBER]


# --- retries -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [503, 429])
def test_transient_errors_are_retried(stub: GenesisStub, status: int) -> None:
    busy = Answer(status, b"busy", (("Content-Type", "text/plain"),))
    stub.play(TABLEFILE, busy, busy, Answer(200, make_zip({SMALL_MEMBER: SMALL_FFCSV})))
    fetched = fetch(stub)
    assert fetched.content == SMALL_FFCSV
    assert len(stub.calls(TABLEFILE)) == 3


def test_retry_after_is_honoured(stub: GenesisStub) -> None:
    stub.play(
        TABLEFILE,
        Answer(503, b"", (("Retry-After", "0.4"),)),
        Answer(200, make_zip({SMALL_MEMBER: SMALL_FFCSV})),
    )
    fetch(stub)  # backoff alone would wait 0.01 s
    first, second = stub.calls(TABLEFILE)
    assert second.at - first.at >= 0.38


def test_retry_after_parsing() -> None:
    parse = genesis_api._retry_after_seconds
    assert parse("3") == 3.0
    assert parse(None) is None and parse("soon") is None
    assert parse("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: no wait
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 < parse(in_a_minute) <= 60


def test_server_errors_give_up_after_max_attempts(stub: GenesisStub) -> None:
    stub.play(TABLEFILE, Answer(503, MAINTENANCE_PAGE, (("Content-Type", "text/html"),)))
    error = fetch_error(stub, settings=ClientSettings(max_attempts=3, backoff_base=0.01))
    assert len(stub.calls(TABLEFILE)) == 3
    assert (error.kind, error.http_status, error.attempts) == ("http", 503, 3)
    assert "HTTP 503 with an HTML page (maintenance?), 3 attempts" in str(error)


def test_timeout_is_retried_then_reported(stub: GenesisStub) -> None:
    stub.play(TABLEFILE, Answer(200, make_zip({SMALL_MEMBER: SMALL_FFCSV}), delay=1.0))
    settings = ClientSettings(read_timeout=0.2, max_attempts=2, backoff_base=0.01)
    error = fetch_error(stub, settings=settings)
    assert len(stub.calls(TABLEFILE)) == 2
    assert (error.kind, error.attempts) == ("timeout", 2)
    message = str(error)
    assert "no answer within the read timeout of 0.2 s, 2 attempts" in message
    assert "SOZPLAN_GENESIS_READ_TIMEOUT" in message


def test_refused_connection_is_retried_then_reported() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        fetch_table(
            SMALL_TABLE,
            "regionalstatistik",
            base_url=f"http://127.0.0.1:{port}{BASE_PATH}",
            settings=ClientSettings(max_attempts=2, backoff_base=0.01),
            with_metadata=False,
        )
    error = caught.value
    assert (error.kind, error.attempts) == ("connection", 2)
    assert "could not reach regionalstatistik" in str(error)
    assert "Connection refused" in str(error)


# --- answers that are errors ---------------------------------------------------------------


def test_401_is_not_retried_and_names_the_env_vars_not_the_secret(stub: GenesisStub) -> None:
    body = json.dumps({"Code": 15, "Content": "Zugangsdaten nicht erkannt", "Type": "ERROR"})
    stub.play(TABLEFILE, Answer(401, body.encode(), (("Content-Type", "application/json"),)))
    error = fetch_error(stub)
    assert len(stub.calls(TABLEFILE)) == 1
    assert (error.kind, error.http_status) == ("credentials", 401)
    message = str(error)
    assert message.startswith("credentials rejected by regionalstatistik")
    for name in (
        "SOZPLAN_GENESIS_USERNAME",
        "SOZPLAN_GENESIS_PASSWORD",
        "SOZPLAN_GENESIS_TOKEN",
        "SOZPLAN_GENESIS_TOKEN_REGIONALSTATISTIK",
    ):
        assert name in message
    assert "Zugangsdaten nicht erkannt" in message
    assert USERNAME not in message and PASSWORD not in message


def test_rejected_credentials_in_a_status_body(stub: GenesisStub) -> None:
    stub.play(TABLEFILE, Answer(200, status_json(98, "Zugang verweigert")))
    error = fetch_error(stub)
    assert error.kind == "credentials" and error.genesis_code == 98
    assert "credentials rejected by regionalstatistik" in str(error)


def test_html_page_instead_of_zip(stub: GenesisStub) -> None:
    stub.play(TABLEFILE, Answer(200, MAINTENANCE_PAGE, (("Content-Type", "text/html"),)))
    error = fetch_error(stub)
    assert error.kind == "html"
    assert (
        "expected a ZIP with an ffcsv table, found an HTML page (maintenance or login page?)"
        in str(error)
    )


def test_redirect_is_not_followed(stub: GenesisStub) -> None:
    stub.play(TABLEFILE, Answer(302, b"", (("Location", "https://login.example/"),)))
    error = fetch_error(stub)
    assert error.kind == "redirect" and "https://login.example/" in str(error)
    assert len(stub.requests) == 1  # the credentials did not go to the other host


def test_json_error_body_gives_code_and_content(stub: GenesisStub) -> None:
    content = "Es gibt keine Objekte zum angegebenen Selektionskriterium"
    stub.play(TABLEFILE, Answer(200, status_json(104, content)))
    error = fetch_error(stub)
    assert len(stub.calls(TABLEFILE)) == 1
    assert (error.kind, error.genesis_code) == ("status", 104)
    assert f"GENESIS status 104 (Fehler): {content}" in str(error)


def test_table_too_large_without_jobs(stub: GenesisStub) -> None:
    content = "Die Tabelle ist zu groß, um direkt abgerufen zu werden."
    stub.play(TABLEFILE, Answer(200, status_json(98, content)))
    error = fetch_error(stub, allow_job=False)
    assert (error.kind, error.genesis_code) == ("too_large", 98)
    message = str(error)
    assert content in message and "smaller selection" in message and "GENESIS job" in message
    assert len(stub.requests) == 1 and "job" not in stub.requests[0].form


def test_job_answer_without_a_result_name(stub: GenesisStub) -> None:
    content = "Der Bearbeitungsauftrag wurde erstellt."
    stub.play(TABLEFILE, Answer(200, status_json(99, content, "Information")))
    error = fetch_error(stub)
    assert (error.kind, error.genesis_code) == ("status", 99)
    assert "names no result table" in str(error) and content in str(error)


def test_zip_without_csv_member(stub: GenesisStub) -> None:
    stub.play(TABLEFILE, Answer(200, make_zip({"readme.txt": b"nothing here"})))
    error = fetch_error(stub)
    assert error.kind == "zip"
    assert "found a ZIP with no CSV member (members: readme.txt)" in str(error)


def test_damaged_zip(stub: GenesisStub) -> None:
    stub.play(TABLEFILE, Answer(200, make_zip({SMALL_MEMBER: SMALL_FFCSV})[:40]))
    error = fetch_error(stub)
    assert error.kind == "zip" and "damaged ZIP" in str(error)


def test_csv_member_that_is_not_ffcsv(stub: GenesisStub) -> None:
    ok_zip(stub, data=b"GENESIS-Tabelle: 12411-01-01-4;;;\n")
    error = fetch_error(stub)
    assert error.kind == "format"
    assert "GENESIS-Tabelle" in str(error) and "statistics_code;" in str(error)


def test_unknown_database_and_bad_table_code(stub: GenesisStub) -> None:
    with pytest.raises(FetchError, match="unknown GENESIS database 'regio'"):
        fetch_table(SMALL_TABLE, "regio", settings=FAST)
    with pytest.raises(FetchError, match="not a GENESIS table code"):
        fetch_table("12411 01; drop", "regionalstatistik", base_url=stub.base_url)
    assert stub.requests == []


# --- metadata -----------------------------------------------------------------------------


def test_metadata_success_masks_echoed_credentials(stub: GenesisStub) -> None:
    stub.play(METADATA, Answer(200, json.dumps(SMALL_METADATA).encode()))
    metadata = fetch_metadata(SMALL_TABLE, "regionalstatistik", base_url=stub.base_url)
    assert metadata["Status"]["Code"] == 0
    assert metadata["Object"] == SMALL_METADATA["Object"]
    assert metadata == masked(SMALL_METADATA)
    [request] = stub.requests
    assert (request.method, request.headers["username"]) == ("POST", USERNAME)


@needs_reference
@pytest.mark.parametrize("name", ["1000A-0000", "AI-N-01-2-5"])
def test_metadata_of_real_recordings(stub: GenesisStub, name: str) -> None:
    body = (FFCSV_DIR / f"{name}_metadata.json").read_bytes()
    stub.play(METADATA, Answer(200, body))
    metadata = fetch_metadata(name, "zensus2022", base_url=stub.base_url, settings=FAST)
    assert metadata == masked(json.loads(body))
    assert metadata["Object"]["Code"] == name


def test_metadata_status_error(stub: GenesisStub) -> None:
    content = "Es gibt keine Objekte zum angegebenen Selektionskriterium"
    stub.play(METADATA, Answer(200, status_json(104, content)))
    with pytest.raises(FetchError, match=f"GENESIS status 104 \\(Fehler\\): {content}"):
        fetch_metadata(SMALL_TABLE, "regionalstatistik", base_url=stub.base_url)


# --- secrets -------------------------------------------------------------------------------


def test_secrets_never_appear_in_logs_errors_or_results(
    stub: GenesisStub,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, including requests/urllib3
    texts: list[str] = []

    def record_error(**kwargs: object) -> None:
        with pytest.raises(FetchError) as caught:
            fetch(stub, **kwargs)
        error = caught.value
        texts.extend([str(error), repr(error), "".join(traceback.format_exception(error))])
        texts.append(repr(vars(error)))

    # errors: 401 (the server echoes the user name), retried 503s, a timeout, HTML, status
    echo = json.dumps({"Code": 15, "Content": f"Nutzer {USERNAME} unbekannt", "Type": "ERROR"})
    stub.play(TABLEFILE, Answer(401, echo.encode()))
    record_error()
    stub.play(TABLEFILE, Answer(503, MAINTENANCE_PAGE))
    record_error(settings=ClientSettings(max_attempts=2, backoff_base=0.01))
    stub.play(TABLEFILE, Answer(200, b"", delay=0.6))
    record_error(settings=ClientSettings(read_timeout=0.15, max_attempts=2, backoff_base=0.01))
    stub.play(TABLEFILE, Answer(200, MAINTENANCE_PAGE))
    record_error()
    stub.play(TABLEFILE, Answer(200, status_json(104, f"nichts für {USERNAME}")))
    record_error()
    # success with metadata that echoes the credentials, then saved
    ok_zip(stub)
    stub.play(METADATA, Answer(200, json.dumps(SMALL_METADATA).encode()))
    fetched = fetch(stub, with_metadata=True)
    texts.extend([repr(fetched), json.dumps(fetched.metadata), repr(fetched.params)])
    texts.append(save(fetched, tmp_path).read_text(encoding="utf-8-sig"))
    # a token from the environment
    monkeypatch.setenv("SOZPLAN_GENESIS_TOKEN", TOKEN)
    stub.play(TABLEFILE, Answer(403, b"Forbidden"))
    record_error()
    texts.append(repr(Credentials.from_env("regionalstatistik")))

    captured = capfd.readouterr()
    texts.extend([caplog.text, captured.out, captured.err])
    texts.extend(repr(r.args) for r in caplog.records)
    everything = "\n".join(texts)
    assert "credentials rejected by regionalstatistik" in everything  # the scenarios ran
    assert caplog.records  # and logged
    for secret in SECRETS:
        assert secret not in everything
    # ... yet they were sent, in the headers only
    sent = [(r.headers["username"], r.headers["password"]) for r in stub.requests]
    assert (USERNAME, PASSWORD) in sent and (TOKEN, "") in sent
    for request in stub.requests:
        assert not any(s in request.query or s in str(request.form) for s in SECRETS)


# --- base URLs: https only, credentials in them masked ------------------------------------

URL_USER = "url-user-5b2e"
URL_PASSWORD = "url-pa55-e91c"
URL_SECRETS = (URL_USER, URL_PASSWORD)


def with_userinfo(url: str) -> str:
    return url.replace("://", f"://{URL_USER}:{URL_PASSWORD}@", 1)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.regionalstatistik.de/genesisws/rest/2020",
        "HTTP://10.0.0.5/genesisws/rest/2020",
        "http://127.0.0.1.example.org/genesisws/rest/2020",
    ],
)
def test_plain_http_is_refused_except_on_the_loopback(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_table(SMALL_TABLE, "regionalstatistik", base_url=url, settings=FAST)
    assert caught.value.kind == "usage"
    message = str(caught.value)
    assert message.startswith("base URL of regionalstatistik must start with https://")
    assert "accepted only for 127.0.0.1 and localhost" in message


def test_plain_http_from_the_environment_is_refused_by_the_cli(
    stub: GenesisStub,
    cli_env: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "http://www.regionalstatistik.de/genesisws/rest/2020"
    monkeypatch.setenv("SOZPLAN_GENESIS_URL_REGIONALSTATISTIK", with_userinfo(url))
    assert cli_env(SMALL_TABLE) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert "must start with https://" in err and "Traceback" not in err
    assert "http://********:********@www.regionalstatistik.de/genesisws/rest/2020" in err
    assert not any(secret in err for secret in URL_SECRETS)
    assert stub.requests == []


def test_localhost_may_use_plain_http(stub: GenesisStub) -> None:
    ok_zip(stub)
    fetched = fetch_table(
        SMALL_TABLE,
        "regionalstatistik",
        base_url=stub.base_url.replace("127.0.0.1", "localhost"),
        settings=FAST,
        with_metadata=False,
    )
    assert fetched.content == SMALL_FFCSV


def test_credentials_in_the_base_url_are_masked(
    stub: GenesisStub,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    cli_env: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    base_url = with_userinfo(stub.base_url)
    shown = stub.base_url.replace("://", "://********:********@")
    texts: list[str] = []

    def record_error(url: str, **kwargs: object) -> FetchError:
        kwargs.setdefault("settings", FAST)
        with pytest.raises(FetchError) as caught:
            fetch_table(
                SMALL_TABLE, "regionalstatistik", base_url=url, with_metadata=False, **kwargs
            )
        error = caught.value
        texts.extend([str(error), repr(vars(error)), "".join(traceback.format_exception(error))])
        return error

    # the server is down: the message names the URL
    stub.play(TABLEFILE, Answer(503, MAINTENANCE_PAGE))
    error = record_error(base_url, settings=ClientSettings(max_attempts=2, backoff_base=0.01))
    assert f"({shown}/data/tablefile)" in str(error)
    # nobody listens
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = record_error(with_userinfo(f"http://127.0.0.1:{port}{BASE_PATH}"))
    assert error.kind == "connection" and "********:********@127.0.0.1" in str(error)
    # a host name the HTTP library cannot even parse: a message, no exception chained
    error = record_error(with_userinfo(f"https://{'a' * 70}.example.org{BASE_PATH}"))
    assert error.kind == "usage" and "check the base URL" in str(error)
    assert error.__context__ is None and error.__cause__ is None
    # success: the URL was used as written (user and password as HTTP basic auth) ...
    ok_zip(stub)
    fetched = fetch_table(
        SMALL_TABLE, "regionalstatistik", base_url=base_url, settings=FAST, with_metadata=False
    )
    assert fetched.content == SMALL_FFCSV
    basic = base64.b64encode(f"{URL_USER}:{URL_PASSWORD}".encode()).decode()
    assert stub.requests[-1].headers["authorization"] == f"Basic {basic}"
    # ... and shown masked
    assert fetched.url == f"{shown}/data/tablefile"
    texts.append(repr(fetched))
    # the same from the environment, through the CLI
    stub.play(METADATA, Answer(503, MAINTENANCE_PAGE))
    monkeypatch.setenv("SOZPLAN_GENESIS_URL_REGIONALSTATISTIK", base_url)
    assert cli_env(SMALL_TABLE) == cli.EXIT_FAILED
    captured = capsys.readouterr()
    assert shown in captured.err
    texts.extend([captured.out, captured.err, caplog.text])
    texts.extend(repr(r.args) for r in caplog.records)
    everything = "\n".join(texts)
    for secret in URL_SECRETS:
        assert secret not in everything


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"https://www.regionalstatistik.de/genesisws/rest/2020?password={URL_PASSWORD}",
            "https://www.regionalstatistik.de/genesisws/rest/2020?password=********",
        ),
        (
            f"https://host.example/rest?user={URL_USER}&token#{URL_PASSWORD}",
            "https://host.example/rest?user=********&token#********",
        ),
    ],
)
def test_a_query_in_the_base_url_is_refused_and_masked(url: str, shown: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_table(SMALL_TABLE, "regionalstatistik", base_url=url, settings=FAST)
    message = str(caught.value)
    assert caught.value.kind == "usage"
    assert message == (
        "base URL of regionalstatistik must not carry a query or fragment (credentials go in "
        "SOZPLAN_GENESIS_TOKEN or SOZPLAN_GENESIS_USERNAME/_PASSWORD, never in the URL), "
        f"found {shown!r}"
    )


# --- sozplan fetch: download and land --------------------------------------------------------


def test_sozplan_fetch_lands_the_table(stub: GenesisStub, tmp_path: Path) -> None:
    """`sozplan fetch` downloads through the API and lands the file like any delivery."""
    import subprocess
    import sys

    # a real ffcsv of regionalstatistik.de, as the API's ZIP holds it
    sample = (
        Path(__file__).resolve().parent / "fixtures/real/genesis_ffcsv/12411-01-01-4_de_flat.csv"
    )
    member = f"{SMALL_TABLE}_1764150000000_de_flat.csv"
    stub.play(METADATA, Answer(200, json.dumps(SMALL_METADATA).encode()))
    ok_zip(stub, member=member, data=sample.read_bytes())
    warehouse = tmp_path / "warehouse"
    env = {
        **os.environ,
        "SOZPLAN_WAREHOUSE_DIR": str(warehouse),
        "SOZPLAN_GENESIS_URL_REGIONALSTATISTIK": stub.base_url,
        "SOZPLAN_GENESIS_MAX_ATTEMPTS": "1",
    }

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "fetch", SMALL_TABLE],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    first, second = run(), run()

    assert first.returncode == 0, first.stderr
    assert f"landed {member} as population_sex/" in first.stdout
    assert "already landed" in second.stdout and "nothing changed" in second.stdout
    rows = [
        json.loads(line)
        for line in (warehouse / "landing" / "manifest.jsonl").read_text().splitlines()
    ]
    assert len(rows) == 1
    assert rows[0]["how"] == f"genesis_api:regionalstatistik:{SMALL_TABLE}"
    assert rows[0]["original_name"] == member
    landed = warehouse / "landing" / rows[0]["path"]
    assert landed.read_bytes() == sample.read_bytes()
    for secret in SECRETS:
        assert (
            secret
            not in first.stdout
            + first.stderr
            + landed.parent.parent.joinpath("manifest.jsonl").read_text()
        )
    assert all(c.headers.get("username") == USERNAME for c in stub.calls(TABLEFILE))
    # the planner's default selection: the territory's Länder (read here from its YAML)
    territory = yaml.safe_load(
        (PROJECT_ROOT / "data_contracts/territories/thueringen/territory.yml").read_text()
    )
    expected_key = ",".join(f"{land}*" for land in territory["laender"])
    assert all(c.form["regionalkey"] == [expected_key] for c in stub.calls(TABLEFILE))
    assert all(c.method == "POST" for c in stub.requests)


# --- large tables: the GENESIS job protocol ---------------------------------------------------

JOB_NUMBER = "001597503"
TOO_LARGE_TEXT = (
    "Die Tabelle ist zu gross, um im Dialog abgerufen zu werden. Bitte nutzen Sie die "
    "Hintergrundverarbeitung (job=true)."
)
NO_OBJECTS_TEXT = "Es gibt keine Objekte zum angegebenen Selektionskriterium"


@dataclass
class JobProtocol:
    """GENESIS for one large table: refuses the direct download (98), creates a job for
    `job=true` (99, naming `<TABLE>_<number>`), lists the result in `catalogue/results`
    after `pending_polls` polls and delivers it through `data/resultfile` as a ZIP.

    Like the real service it answers only POST with the credentials in the headers (else
    HTTP 401, status 15) and only knows the result it created.
    """

    table: str
    data: bytes
    member: str
    pending_polls: int = 2
    credentials: tuple[str, str] = (USERNAME, PASSWORD)
    metadata: bytes | None = None
    polls: int = 0
    jobs: list[str] = field(default_factory=list)

    @property
    def result(self) -> str:
        return f"{self.table}_{JOB_NUMBER}"

    def install(self, stub: GenesisStub) -> JobProtocol:
        stub.play(TABLEFILE, self.tablefile)
        stub.play(RESULTS, self.results)
        stub.play(RESULTFILE, self.resultfile)
        if self.metadata is not None:
            stub.play(METADATA, lambda r: self.refusal(r) or Answer(200, self.metadata or b""))
        return self

    def refusal(self, request: Recorded) -> Answer | None:
        if request.method != "POST":
            return Answer(405, b"")
        sent = (request.headers.get("username"), request.headers.get("password"))
        if sent != self.credentials or request.query:
            body = {"Code": 15, "Content": "Zugangsdaten nicht erkannt", "Type": "ERROR"}
            return Answer(401, json.dumps(body).encode())
        return None

    def tablefile(self, request: Recorded) -> Answer:
        if refused := self.refusal(request):
            return refused
        if request.form.get("name") != [self.table]:
            return Answer(200, status_json(90, "Die angeforderte Tabelle ist nicht vorhanden"))
        if request.form.get("job") == ["true"]:
            self.jobs.append(self.result)
            content = (
                "Der Bearbeitungsauftrag wurde erstellt. Die Tabelle kann in Kürze als Ergebnis "
                f"mit folgendem Namen abgerufen werden: {self.result}"
            )
            return Answer(200, status_json(99, content, "Information"))
        return Answer(200, status_json(98, TOO_LARGE_TEXT, "Information"))

    def finished(self) -> bool:
        return bool(self.jobs) and self.polls > self.pending_polls

    def results(self, request: Recorded) -> Answer:
        if refused := self.refusal(request):
            return refused
        self.polls += 1
        wanted = request.form.get("selection", [""])[0]
        if wanted != self.result or not self.finished():
            body = status_json(104, NO_OBJECTS_TEXT, "Information", "catalogue/results")
            return Answer(200, body)
        entry = {"Code": self.result, "Content": "Ergebnistabelle", "Values": "1467"}
        body = status_json(0, "erfolgreich", "Information", "catalogue/results", List=[entry])
        return Answer(200, body)

    def resultfile(self, request: Recorded) -> Answer:
        if refused := self.refusal(request):
            return refused
        if request.form.get("name") != [self.result] or not self.finished():
            return Answer(200, status_json(104, NO_OBJECTS_TEXT, "Information", "data/resultfile"))
        return Answer(
            200, make_zip({self.member: self.data}), (("Content-Type", "application/zip"),)
        )


def real_table() -> bytes:
    return (FFCSV_DIR / "12411-01-01-4_de_flat.csv").read_bytes()


def real_metadata(name: str = "12411-01-01-4") -> bytes:
    return (FFCSV_DIR / f"{name}_metadata.json").read_bytes()


@needs_reference
def test_large_table_is_built_as_a_job_and_fetched_when_finished(stub: GenesisStub) -> None:
    data = real_table()
    member = f"{SMALL_TABLE}_{JOB_NUMBER}_de_flat.csv"
    server = JobProtocol(SMALL_TABLE, data, member, pending_polls=2).install(stub)
    heard: list[str] = []
    fetched = fetch(stub, regionalkey="16*", startyear=2015, endyear=2024, progress=heard.append)

    assert fetched.content == data
    assert (fetched.file_name, fetched.job) == (member, server.result)
    assert fetched.url.endswith("/data/resultfile")
    # 98, job=true (99), three polls (two pending, then listed), the result file
    assert [r.path for r in stub.requests] == [
        TABLEFILE,
        TABLEFILE,
        RESULTS,
        RESULTS,
        RESULTS,
        RESULTFILE,
    ]
    for request in stub.requests:
        assert request.method == "POST" and request.query == ""
        assert (request.headers["username"], request.headers["password"]) == (USERNAME, PASSWORD)
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    direct, job = stub.calls(TABLEFILE)
    selection = {
        "name": [SMALL_TABLE],
        "area": ["all"],
        "compress": ["false"],
        "format": ["ffcsv"],
        "startyear": ["2015"],
        "endyear": ["2024"],
        "regionalkey": ["16*"],
        "language": ["de"],
    }
    assert direct.form == selection
    assert job.form == {**selection, "job": ["true"]}  # the same request, as a job
    for poll in stub.calls(RESULTS):
        assert poll.form["selection"] == [server.result] and poll.form["area"] == ["all"]
        assert poll.form["pagelength"][0].isdigit()
    [download] = stub.calls(RESULTFILE)
    assert download.form == {
        "name": [server.result],
        "area": ["all"],
        "compress": ["false"],
        "format": ["ffcsv"],
        "language": ["de"],
    }
    assert any(server.result in line for line in heard)


def test_a_job_result_named_otherwise_gets_a_flat_file_name(stub: GenesisStub) -> None:
    server = JobProtocol(SMALL_TABLE, SMALL_FFCSV, "ergebnis.csv", pending_polls=0).install(stub)
    fetched = fetch(stub)
    assert fetched.content == SMALL_FFCSV and fetched.job == server.result
    assert fetched.file_name == f"{SMALL_TABLE}_{JOB_NUMBER}_de_flat.csv"


def test_a_job_the_server_starts_by_itself_is_awaited(stub: GenesisStub) -> None:
    server = JobProtocol(SMALL_TABLE, SMALL_FFCSV, SMALL_MEMBER, pending_polls=1).install(stub)
    server.jobs.append(server.result)  # GENESIS answered the direct request with 99
    content = f"Der Bearbeitungsauftrag wurde erstellt. … abgerufen werden: {server.result}"
    stub.play(TABLEFILE, Answer(200, status_json(99, content, "Information")))
    fetched = fetch(stub)
    assert fetched.content == SMALL_FFCSV and fetched.job == server.result
    assert len(stub.calls(TABLEFILE)) == 1 and "job" not in stub.calls(TABLEFILE)[0].form


def test_job_timeout_names_the_job(stub: GenesisStub) -> None:
    server = JobProtocol(SMALL_TABLE, SMALL_FFCSV, SMALL_MEMBER, pending_polls=10**6)
    server.install(stub)
    settings = ClientSettings(backoff_base=0.01, job_poll_interval=0.05, job_max_wait=0.3)
    started = time.monotonic()
    error = fetch_error(stub, settings=settings)
    assert time.monotonic() - started < 3
    assert (error.kind, error.job) == ("job_timeout", server.result)
    message = str(error)
    assert server.result in message and f"--job {server.result}" in message
    assert "SOZPLAN_GENESIS_JOB_MAX_WAIT" in message
    assert 2 <= len(stub.calls(RESULTS)) <= 8
    assert stub.calls(RESULTFILE) == []


def test_a_timed_out_job_is_fetched_later(stub: GenesisStub) -> None:
    server = JobProtocol(SMALL_TABLE, SMALL_FFCSV, SMALL_MEMBER, pending_polls=1).install(stub)
    server.jobs.append(server.result)  # started by an earlier run
    fetched = fetch_result(
        SMALL_TABLE, "regionalstatistik", server.result, base_url=stub.base_url, settings=FAST
    )
    assert fetched.content == SMALL_FFCSV and fetched.job == server.result
    assert [r.path for r in stub.requests] == [RESULTS, RESULTS, RESULTFILE]
    with pytest.raises(FetchError, match="not a GENESIS result name"):
        fetch_result(SMALL_TABLE, "regionalstatistik", "x; drop", base_url=stub.base_url)


def test_a_token_cannot_start_a_job(stub: GenesisStub) -> None:
    JobProtocol(SMALL_TABLE, SMALL_FFCSV, SMALL_MEMBER, credentials=(TOKEN, "")).install(stub)
    error = fetch_error(stub, credentials=Credentials.token(TOKEN))
    assert (error.kind, error.genesis_code) == ("too_large", 98)
    message = str(error)
    assert "token" in message and "SOZPLAN_GENESIS_USERNAME" in message
    assert TOKEN not in message
    assert len(stub.requests) == 1  # no job=true was sent


def test_a_failed_job_is_reported(stub: GenesisStub) -> None:
    server = JobProtocol(SMALL_TABLE, SMALL_FFCSV, SMALL_MEMBER).install(stub)
    entry = {"Code": server.result, "Content": "Ergebnistabelle", "State": "Abgebrochen"}
    stub.play(
        RESULTS,
        Answer(
            200, status_json(0, "erfolgreich", "Information", "catalogue/results", List=[entry])
        ),
    )
    error = fetch_error(stub)
    assert (error.kind, error.job) == ("job_failed", server.result)
    assert "Abgebrochen" in str(error)


# --- no newer data -------------------------------------------------------------------------------

NO_NEWER_TEXT = "Keine aktualisierten Daten vorhanden."


def test_status_50_is_no_newer_data(stub: GenesisStub) -> None:
    stub.play(TABLEFILE, Answer(200, status_json(50, NO_NEWER_TEXT, "Information")))
    with pytest.raises(NoNewerData) as caught:
        fetch(stub, stand="31.03.2025")
    error = caught.value
    assert isinstance(error, FetchError)  # callers that only know FetchError still stop
    assert (error.kind, error.genesis_code) == ("no_newer_data", 50)
    message = str(error)
    assert message.startswith(f"no newer data for {SMALL_TABLE} (")
    assert "31.03.2025" in message and NO_NEWER_TEXT in message
    assert stub.requests[0].form["stand"] == ["31.03.2025"]


def test_no_newer_data_after_the_job_request(stub: GenesisStub) -> None:
    stub.play(
        TABLEFILE,
        Answer(200, status_json(98, TOO_LARGE_TEXT, "Information")),
        Answer(200, status_json(50, NO_NEWER_TEXT, "Information")),
    )
    with pytest.raises(NoNewerData):
        fetch(stub)
    assert [c.form.get("job") for c in stub.calls(TABLEFILE)] == [None, ["true"]]


# --- regions --------------------------------------------------------------------------------------


@needs_reference
def test_region_variables_of_real_metadata() -> None:
    def rows_of(name: str) -> list[str]:
        structure = json.loads(real_metadata(name))["Object"]["Structure"]
        return [row["Code"] for row in structure["Rows"]]

    assert region_variables(json.loads(real_metadata("12411-01-01-4"))) == rows_of(
        "12411-01-01-4"
    )  # KREISE
    assert region_variables(json.loads(real_metadata("AI-N-01-2-5"))) == ["GEMEIN"]
    # Zensus: Gemeinden (GEOGM4) before Germany (GEODL1)
    assert region_variables(json.loads(real_metadata("1000A-0000"))) == list(
        reversed(rows_of("1000A-0000"))
    )
    assert region_variables(json.loads(real_metadata("12211-0001"))) == ["DINSG"]
    assert region_variables({"Object": None}) == []


@needs_reference
def test_regional_key_goes_with_the_tables_region_variable(stub: GenesisStub) -> None:
    ok_zip(stub)
    stub.play(METADATA, Answer(200, real_metadata("12411-01-01-4")))
    fetched = fetch(stub, with_metadata=True, regionalkey="16*")
    [request] = stub.calls(TABLEFILE)
    kreise = json.loads(real_metadata("12411-01-01-4"))["Object"]["Structure"]["Rows"][0]
    assert request.form["regionalkey"] == ["16*"]
    assert request.form["regionalvariable"] == [kreise["Code"]]
    assert fetched.notes == ()


@needs_reference
def test_a_table_of_germany_only_is_fetched_without_regional_selection(
    stub: GenesisStub,
) -> None:
    ok_zip(stub)
    stub.play(METADATA, Answer(200, real_metadata("12211-0001")))
    fetched = fetch(stub, with_metadata=True, regionalkey="16*")
    [request] = stub.calls(TABLEFILE)
    assert "regionalkey" not in request.form and "regionalvariable" not in request.form
    [note] = fetched.notes
    assert "no regions below Germany (DINSG)" in note and "16*" in note


def test_selection_parsing() -> None:
    assert regional_keys("territory", ["04", "10"]) == "04*,10*"
    assert regional_keys("all", ["16"]) is None
    assert regional_keys(" 16051, 16052 ") == "16051,16052"
    assert regional_keys("16*") == "16*"
    for bad in ("", "16;drop", "16 051", ",,"):
        with pytest.raises(FetchError, match="--regions"):
            regional_keys(bad)
    assert parse_years("2015-2025") == (2015, 2025)
    assert parse_years("2024") == (2024, 2024)
    for bad in ("2025-2015", "15-25", "last year"):
        with pytest.raises(FetchError, match="--years"):
            parse_years(bad)
    assert parse_stand("2025-03-31") == parse_stand("31.03.2025") == "31.03.2025"
    with pytest.raises(FetchError, match="--stand"):
        parse_stand("31/03/2025")


def test_job_settings_from_environment() -> None:
    env = {"SOZPLAN_GENESIS_JOB_POLL_INTERVAL": "2.5", "SOZPLAN_GENESIS_JOB_MAX_WAIT": "60"}
    settings = ClientSettings.from_env(env)
    assert (settings.job_poll_interval, settings.job_max_wait) == (2.5, 60.0)
    with pytest.raises(FetchError, match="SOZPLAN_GENESIS_JOB_MAX_WAIT='soon'"):
        ClientSettings.from_env({"SOZPLAN_GENESIS_JOB_MAX_WAIT": "soon"})
    with pytest.raises(FetchError, match="job_poll_interval"):
        ClientSettings(job_poll_interval=0)


# --- sozplan fetch in process: options, jobs, no newer data ----------------------------------


@pytest.fixture
def cli_env(
    stub: GenesisStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., int]:
    """`sozplan fetch …` in this process against the stub, in a warehouse of its own."""
    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("SOZPLAN_GENESIS_URL_REGIONALSTATISTIK", stub.base_url)
    monkeypatch.setenv("SOZPLAN_GENESIS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("SOZPLAN_GENESIS_JOB_POLL_INTERVAL", "0.02")
    monkeypatch.setenv("SOZPLAN_GENESIS_JOB_MAX_WAIT", "5")
    monkeypatch.chdir(tmp_path)  # where a file without a contract is saved

    def run(*argv: str) -> int:
        return cli.main(["fetch", *argv])

    return run


def assert_reached_landing(tmp_path: Path, out: str, name: str, data: bytes) -> None:
    """The fetched bytes went the way of a hand download: landed under a contract, or, when
    no contract takes them, saved where the user is."""
    if f"landed {name} as " in out:
        manifest = tmp_path / "warehouse" / "landing" / "manifest.jsonl"
        rows = [json.loads(line) for line in manifest.read_text().splitlines()]
        [row] = [r for r in rows if r["original_name"] == name]
        assert row["how"] == f"genesis_api:regionalstatistik:{SMALL_TABLE}"
        assert (manifest.parent / row["path"]).read_bytes() == data
    else:
        assert f"saved {tmp_path / name}" in out, out
        assert (tmp_path / name).read_bytes() == data


def warehouse_files(tmp_path: Path) -> list[Path]:
    root = tmp_path / "warehouse"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@needs_reference
def test_cli_fetches_a_large_table_for_the_territory(
    stub: GenesisStub,
    cli_env: Callable[..., int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = real_table()
    member = f"{SMALL_TABLE}_{JOB_NUMBER}_de_flat.csv"
    server = JobProtocol(
        SMALL_TABLE, data, member, pending_polls=1, metadata=real_metadata()
    ).install(stub)

    code = cli_env(SMALL_TABLE, "--years", "2015-2025")

    out = capsys.readouterr().out
    assert code == 0, out
    territory = yaml.safe_load(
        (PROJECT_ROOT / "data_contracts/territories/thueringen/territory.yml").read_text()
    )
    expected_key = ",".join(f"{land}*" for land in territory["laender"])
    kreise = json.loads(real_metadata())["Object"]["Structure"]["Rows"][0]["Code"]
    direct, job = stub.calls(TABLEFILE)
    for form in (direct.form, job.form):
        assert form["regionalkey"] == [expected_key]
        assert form["regionalvariable"] == [kreise]
        assert (form["startyear"], form["endyear"]) == (["2015"], ["2025"])
    assert job.form["job"] == ["true"]
    assert server.result in out
    assert_reached_landing(tmp_path, out, member, data)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--regions", "all"], {}),
        (["--regions", "16051,16052"], {"regionalkey": ["16051,16052"]}),
        (["--regions", "all", "--years", "2024"], {"startyear": ["2024"], "endyear": ["2024"]}),
        (["--regions", "all", "--stand", "2025-03-31"], {"stand": ["31.03.2025"]}),
    ],
)
def test_cli_selection_options(
    stub: GenesisStub,
    cli_env: Callable[..., int],
    argv: list[str],
    expected: dict[str, list[str]],
) -> None:
    stub.play(METADATA, Answer(200, json.dumps(SMALL_METADATA).encode()))
    stub.play(TABLEFILE, Answer(200, status_json(50, NO_NEWER_TEXT, "Information")))
    assert cli_env(SMALL_TABLE, *argv) == 0
    [request] = stub.calls(TABLEFILE)
    selection = {
        k: v
        for k, v in request.form.items()
        if k in ("regionalkey", "regionalvariable", "startyear", "endyear", "stand")
    }
    assert selection == expected


def test_cli_no_newer_data_lands_nothing(
    stub: GenesisStub,
    cli_env: Callable[..., int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stub.play(METADATA, Answer(200, json.dumps(SMALL_METADATA).encode()))
    stub.play(TABLEFILE, Answer(200, status_json(50, NO_NEWER_TEXT, "Information")))
    code = cli_env(SMALL_TABLE, "--stand", "31.03.2025")
    captured = capsys.readouterr()
    assert code == 0
    assert f"no newer data for {SMALL_TABLE} (" in captured.out
    assert captured.err == ""
    assert warehouse_files(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == []


def test_cli_job_timeout_names_the_job(
    stub: GenesisStub,
    cli_env: Callable[..., int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SOZPLAN_GENESIS_JOB_MAX_WAIT", "0.2")
    server = JobProtocol(SMALL_TABLE, SMALL_FFCSV, SMALL_MEMBER, pending_polls=10**6)
    server.metadata = json.dumps(SMALL_METADATA).encode()
    server.install(stub)
    code = cli_env(SMALL_TABLE)
    captured = capsys.readouterr()
    assert code == cli.EXIT_FAILED
    assert server.result in captured.err
    assert f"sozplan fetch {SMALL_TABLE} --database regionalstatistik --job {server.result}" in (
        captured.err
    )
    assert warehouse_files(tmp_path) == []

    # later: the job has finished and is fetched by its name
    server.pending_polls = 0
    assert cli_env(SMALL_TABLE, "--job", server.result) == 0
    assert_reached_landing(tmp_path, capsys.readouterr().out, SMALL_MEMBER, SMALL_FFCSV)
    assert stub.calls(RESULTFILE)[-1].form["name"] == [server.result]


def test_cli_rejects_bad_options(
    stub: GenesisStub, cli_env: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_env(SMALL_TABLE, "--years", "2025-2015") == cli.EXIT_FAILED
    assert "--years" in capsys.readouterr().err
    assert cli_env(SMALL_TABLE, "--regions", "16;drop") == cli.EXIT_FAILED
    assert "--regions" in capsys.readouterr().err
    assert stub.requests == []


def test_secrets_stay_out_of_job_and_no_data_messages(
    stub: GenesisStub,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    cli_env: Callable[..., int],
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    # a job whose answers echo the user name, then a timeout, then no newer data (echoed too)
    server = JobProtocol(SMALL_TABLE, SMALL_FFCSV, SMALL_MEMBER, pending_polls=1).install(stub)
    echo = f"Der Bearbeitungsauftrag für {USERNAME} wurde erstellt: {server.result}"
    stub.play(
        TABLEFILE,
        Answer(200, status_json(98, TOO_LARGE_TEXT, "Information")),
        Answer(200, status_json(99, echo, "Information")),
    )
    server.jobs.append(server.result)  # the echoing answer above stands for the job start
    fetched = fetch(stub, progress=texts.append)
    assert fetched.job == server.result
    texts.extend([repr(fetched), repr(fetched.params)])
    server.pending_polls = 10**6
    stub.play(TABLEFILE, server.tablefile)
    settings = ClientSettings(backoff_base=0.01, job_poll_interval=0.02, job_max_wait=0.1)
    error = fetch_error(stub, settings=settings, progress=texts.append)
    texts.extend([str(error), repr(vars(error))])
    stub.play(TABLEFILE, Answer(200, status_json(50, f"{NO_NEWER_TEXT} ({PASSWORD})")))
    with pytest.raises(NoNewerData) as caught:
        fetch(stub)
    texts.extend([str(caught.value), repr(vars(caught.value))])
    stub.play(METADATA, Answer(200, json.dumps(SMALL_METADATA).encode()))
    assert cli_env(SMALL_TABLE) == 0  # no newer data again, through the CLI
    captured = capsys.readouterr()
    texts.extend([caplog.text, captured.out, captured.err])
    texts.extend(repr(r.args) for r in caplog.records)
    everything = "\n".join(texts)
    assert server.result in everything and "no newer data" in everything  # the scenarios ran
    for secret in SECRETS:
        assert secret not in everything
