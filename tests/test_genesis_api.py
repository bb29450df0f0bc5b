"""The GENESIS REST connector against a real HTTP server on 127.0.0.1 (no internet).

The server (stdlib `ThreadingHTTPServer`) plays back recorded answers: a ZIP built from a
small ffcsv written here or from a real reference file, real `metadata/table` JSON, and the
error answers GENESIS gives (HTTP 200 with a JSON status, 401, 5xx, HTML pages). It records
every request (method, path, headers, form body) so the tests check what was sent.
"""

from __future__ import annotations

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
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from pipelines.connectors import genesis_api
from pipelines.connectors.genesis_api import (
    ClientSettings,
    Credentials,
    Fetched,
    FetchError,
    fetch_metadata,
    fetch_table,
    save,
)

REFERENCE_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
FFCSV_DIR = REFERENCE_DIR / "genesis_ffcsv"
needs_reference = pytest.mark.skipif(
    not FFCSV_DIR.is_dir(),
    reason=f"tests/fixtures/real is absent: {FFCSV_DIR} not found "
    "(it sits beside the project checkout on developer machines and in CI)",
)

BASE_PATH = "/genesisws/rest/2020"
TABLEFILE = f"{BASE_PATH}/data/tablefile"
METADATA = f"{BASE_PATH}/metadata/table"
USERNAME = "planer-7Qx2"
PASSWORD = "s3cr3t-Pa55-wort-9931"
TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SECRETS = (USERNAME, PASSWORD, TOKEN)
FAST = ClientSettings(connect_timeout=1.0, read_timeout=2.0, max_attempts=4, backoff_base=0.01)

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


def status_json(code: int, content: str, kind: str = "Fehler") -> bytes:
    return json.dumps(
        {
            "Ident": {"Service": "data", "Method": "tablefile"},
            "Status": {"Code": code, "Content": content, "Type": kind},
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


class GenesisStub:
    """Answers per path, played in order (the last one repeats); records every request."""

    def __init__(self) -> None:
        self.script: dict[str, list[Answer]] = {}
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
                    stub.requests.append(
                        Recorded(
                            method=self.command,
                            path=url.path,
                            query=url.query,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            form=parse_qs(raw.decode("latin-1"), keep_blank_values=True),
                            at=time.monotonic(),
                        )
                    )
                    queue = stub.script.get(url.path) or [Answer(404, b"no such path")]
                    answer = queue.pop(0) if len(queue) > 1 else queue[0]
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

    def play(self, path: str, *answers: Answer) -> None:
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
    """No developer credentials or proxies leak into the tests; credentials are the fakes."""
    for name in list(os.environ):
        if name.startswith("SOZPLAN_GENESIS_"):
            monkeypatch.delenv(name)
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


def test_table_too_large(stub: GenesisStub) -> None:
    content = "Die Tabelle ist zu groß, um direkt abgerufen zu werden."
    stub.play(TABLEFILE, Answer(200, status_json(98, content)))
    error = fetch_error(stub)
    assert (error.kind, error.genesis_code) == ("too_large", 98)
    message = str(error)
    assert content in message and "smaller selection" in message
    assert "job mechanism" in message and "does not implement" in message


def test_background_job_created(stub: GenesisStub) -> None:
    content = (
        "Der Bearbeitungsauftrag wurde erstellt. Die Tabelle kann in Kürze als Ergebnis mit "
        "folgendem Namen abgerufen werden: 12411-01-01-4_123456789"
    )
    stub.play(TABLEFILE, Answer(200, status_json(99, content, "Information")))
    error = fetch_error(stub)
    assert error.kind == "too_large"
    assert "not implemented" in str(error) and "12411-01-01-4_123456789" in str(error)


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


# --- sozplan fetch: download and land --------------------------------------------------------


def test_sozplan_fetch_lands_the_table(stub: GenesisStub, tmp_path: Path) -> None:
    """`sozplan fetch` downloads through the API and lands the file like any delivery."""
    import subprocess
    import sys

    sample = Path(__file__).resolve().parents[1] / "sample_data" / "13211-02-05-4_de_flat.csv"
    member = "13211-02-05-4_1764150000000_de_flat.csv"
    metadata = {**SMALL_METADATA, "Object": {"Code": "13211-02-05-4", "Content": "Arbeitslose"}}
    stub.play(METADATA, Answer(200, json.dumps(metadata).encode()))
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
            [sys.executable, "-m", "pipelines.cli", "fetch", "13211-02-05-4"],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    first, second = run(), run()

    assert first.returncode == 0, first.stderr
    assert f"landed {member} as unemployment/" in first.stdout
    assert "already landed" in second.stdout and "nothing changed" in second.stdout
    rows = [
        json.loads(line)
        for line in (warehouse / "landing" / "manifest.jsonl").read_text().splitlines()
    ]
    assert len(rows) == 1
    assert rows[0]["how"] == "genesis_api:regionalstatistik:13211-02-05-4"
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
