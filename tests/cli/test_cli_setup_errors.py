"""Every setup mistake is one line on stderr naming what to fix, exit code 2, no traceback."""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from tests.cli.conftest import Invoke
from tests.conftest import PG_URL, postgres_reachable

REFINERY = str(Path(sys.executable).with_name("refinery"))


def one_line(result: Result | subprocess.CompletedProcess[str], *names: str) -> str:
    """Assert exit 2, exactly one line on stderr holding every name, and no traceback."""
    code = result.exit_code if isinstance(result, Result) else result.returncode
    stderr = result.stderr
    stdout = result.stdout
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == 2, (code, stdout, stderr)
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr + stdout
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def write_config(directory: Path, text: str) -> Path:
    path = directory / "refinery.toml"
    path.write_text(text)
    return path


# -- the store ----------------------------------------------------------------------------


def test_store_in_a_missing_directory(invoke: Invoke, clean_env: Path) -> None:
    config = write_config(clean_env, '[store]\nurl = "sqlite:///no/such/dir/refinery.db"\n')
    line = one_line(invoke("check", "--config", config), "store.url", str(config))
    assert "no/such/dir" in line and "does not exist" in line


def test_unsupported_database_names_the_variable(invoke: Invoke) -> None:
    env = {"REFINERY_STORE__URL": "mysql://root:hunter2@db/refinery"}
    line = one_line(invoke("sync", env=env), "REFINERY_STORE__URL", "mysql")
    assert "hunter2" not in line


def test_not_a_url(invoke: Invoke) -> None:
    one_line(invoke("check", env={"REFINERY_STORE__URL": "refinery.db"}), "REFINERY_STORE__URL")


def test_unreachable_postgres(invoke: Invoke) -> None:
    # Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    env = {"REFINERY_STORE__URL": "postgresql://refinery:s3cret@127.0.0.1:1/refinery"}
    line = one_line(invoke("requests", env=env), "REFINERY_STORE__URL", "cannot reach PostgreSQL")
    assert "s3cret" not in line and "127.0.0.1:1" in line


@pytest.fixture
def postgres() -> None:
    if not postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}, and CI needs it")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")


@pytest.mark.usefixtures("postgres")
def test_missing_postgres_database(invoke: Invoke) -> None:
    url = PG_URL.rsplit("/", 1)[0] + "/refinery_no_such_database"
    line = one_line(invoke("check", env={"REFINERY_STORE__URL": url}), "REFINERY_STORE__URL")
    assert "refinery_no_such_database" in line and "does not exist" in line


def test_postgres_scheme_from_hosting_providers_is_accepted(invoke: Invoke, pg_schema: str) -> None:
    url = PG_URL.replace("postgresql://", "postgres://", 1)
    env = {"REFINERY_STORE__URL": f"{url}?options=-csearch_path%3D{pg_schema}"}
    result = invoke("check", env=env)
    assert result.exit_code == 0, result.output
    assert "store is empty" in result.stderr


def test_corrupt_sqlite_file(invoke: Invoke, clean_env: Path) -> None:
    (clean_env / "refinery.db").write_bytes(b"this is not a database\n" * 100)
    line = one_line(invoke("check"), "store.url", "refinery.db")
    assert "not a usable SQLite database" in line


@pytest.fixture
def read_only_store(clean_env: Path, invoke: Invoke) -> Iterator[Path]:
    """A demo store whose file cannot be written (chmod; for root, the immutable attribute)."""
    result = invoke("demo", "--data-dir", clean_env / "demo")
    assert result.exit_code == 0, result.output
    db = clean_env / "demo" / "refinery-demo.db"
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: cannot make a file read-only")
        done = subprocess.run(["chattr", "+i", str(db)], capture_output=True)
        if done.returncode:
            pytest.skip(f"chattr +i not supported here: {done.stderr.decode().strip()}")
        try:
            yield db
        finally:
            subprocess.run(["chattr", "-i", str(db)], check=True)
    else:
        db.chmod(0o444)
        yield db


def test_read_only_sqlite_file(invoke: Invoke, read_only_store: Path) -> None:
    # Checking stored items by key records their finding history, so it has to write.
    result = invoke("check", "PAY-127", env={"REFINERY_STORE__URL": f"sqlite:///{read_only_store}"})
    line = one_line(result, "REFINERY_STORE__URL", str(read_only_store))
    assert "read-only" in line


def _small_file_limit() -> None:  # in the child: files may not grow past 64 KiB
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process


def test_full_disk(tmp_path: Path) -> None:
    """The store's file cannot grow (as on a full disk): one line, not a traceback."""
    done = subprocess.run(
        [REFINERY, "demo", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        preexec_fn=_small_file_limit,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("REFINERY_")},
    )
    line = one_line(done, "refinery-demo.db")
    assert "disk is full" in line


# -- the server, the environment, and markup -------------------------------------------------


def test_port_in_use(invoke: Invoke, clean_env: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        config = write_config(clean_env, f"[server]\nport = {port}\n")
        result = invoke("serve", "--no-scheduler", "--config", config)
    one_line(result, f"127.0.0.1:{port}", "in use", "server.port", str(config))
    assert "serving on" not in result.stdout


def test_environment_lists_accept_commas(invoke: Invoke) -> None:
    env = {
        "REFINERY_JIRA__URL": "https://acme.atlassian.net",
        "REFINERY_JIRA__API_TOKEN": "t",
        "REFINERY_GITHUB__TOKEN": "t",
        "REFINERY_JIRA__PROJECTS": "PAY, WEB",
        "REFINERY_SLACK__PO_USERS": "U123",
        "REFINERY_GITHUB__REPOS": '["acme/api"]',  # JSON still works
        "REFINERY_SLACK__PEOPLE": "5b10a2844c20165700ede21g=U123",
    }
    result = invoke("config", "check", "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.stdout)["settings"]
    assert data["jira"]["projects"] == ["PAY", "WEB"]
    assert data["slack"]["po_users"] == ["U123"]
    assert data["github"]["repos"] == ["acme/api"]
    assert data["slack"]["people"] == {"5b10a2844c20165700ede21g": "U123"}


@pytest.mark.parametrize(
    ("name", "value"),
    [("REFINERY_TEAMS", "payments"), ("REFINERY_SLACK__PEOPLE", "U123")],
)
def test_environment_value_of_the_wrong_form(invoke: Invoke, name: str, value: str) -> None:
    one_line(invoke("config", "check", env={name: value}), name)


def test_section_names_survive_in_hints(invoke: Invoke) -> None:
    result = invoke("sync")
    one_line(result, "[jira] url", "[github] repos")
    result = invoke("comment")
    one_line(result, "[comments] enabled = true")


def test_rules_typo_names_key_and_file(invoke: Invoke, clean_env: Path) -> None:
    config = write_config(clean_env, '[rules.missing-why]\nseverty = "error"\n')
    one_line(invoke("check", "--config", config), "rules.missing-why.severty", str(config))


def test_verbose_shows_the_traceback(invoke: Invoke) -> None:
    env = {"REFINERY_STORE__URL": "mysql://db/refinery"}
    with pytest.raises(Exception, match="mysql"):
        invoke("-v", "check", env=env)
