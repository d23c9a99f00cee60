"""Shared fixtures: the province, the calibrated sample (built once per session, in a temporary store)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Before any project module is imported: the whole test session uses a data folder of its own (the app under
# AppTest included), never the developer's data/.
os.environ["PARTYDASH_DATA"] = tempfile.mkdtemp(prefix="partydash-test-")


@pytest.fixture(scope="session")
def province():
    from etl.province import load_province

    return load_province("04")


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory, province) -> Path:
    """The sample returns (300 workbooks, 2021–2025), written once per test session."""
    from synthetic.sample import write_sample

    out = tmp_path_factory.mktemp("samples")
    write_sample(province, out)
    return out


@pytest.fixture(scope="session")
def sample_store(sample_dir, province) -> Path:
    """The session's default store (PARTYDASH_DATA/parquet) built from the sample returns; the app under AppTest
    reads it too. Treat it as read-only: copy it to modify."""
    from etl.load import load_files, read_paths
    from etl.settings import PARQUET_DIR

    rep = load_files(
        read_paths(sorted(sample_dir.glob("*.xlsx"))), "test", province, root=PARQUET_DIR, replace_all=True
    )
    assert rep.ok, rep.messages()[:5]
    return PARQUET_DIR


def signed_in(user: str, page: str | None = None, password: str = "demo"):
    """The app under AppTest, logged in as a demo account, on `page` (e.g. "nop_bao_cao") if given."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(password)
    at.form_submit_button[0].click()
    at.run()
    if page:
        at.switch_page(f"../pages/{page}.py")
        at.run()
    return at


# Bad input must never show a user a Python warning: every test of the ETL's inputs runs with warnings as errors.
WARNINGS_ARE_ERRORS = (
    "test_etl_bad_input.py",
    "test_etl_messy.py",
    "test_etl_office_layouts.py",
    "test_etl_office_formats.py",
    "test_etl_years.py",
    "test_etl_plain_words.py",
    "test_upload.py",
    "test_text.py",
    "test_tcvn3_tables.py",
)


# The fast lane, `pytest -m "not slow and not browser"`, leaves out what takes long (README «The two commands»): a test
# is slow when it uses, directly or through another fixture, the calibrated sample (its 300 workbooks written and
# loaded once per session), the demonstration store built on it, the deployment started for a module or the small
# national store; or when it is marked `slow` itself, where it is defined: a test that takes over a second on its own
# (a benchmark run, a folder's whole sample, a store fetched by `request.getfixturevalue` under another name, bcrypt
# lock-out waits, processes racing on locks, a command line run as a process, a store built for one test). Mark a new
# test so when `pytest --durations=30 -m "not slow and not browser"` shows it over a second.
SLOW_FIXTURES = {"sample_dir", "sample_store", "demo_store", "sample_site", "national_store"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in WARNINGS_ARE_ERRORS:
            item.add_marker(pytest.mark.filterwarnings("error"))
        params = getattr(getattr(item, "callspec", None), "params", {})  # a store named by a parameter
        used = set(getattr(item, "fixturenames", ())) | {v for v in params.values() if isinstance(v, str)}
        if SLOW_FIXTURES & used:
            item.add_marker(pytest.mark.slow)


from tests.deployment import browser, sample_site  # noqa: E402, F401  (chromium and the deployment, per module)
from tests.fixtures import demo_store, national_store, tiny_province_store, tiny_store, tree_store  # noqa: E402, F401  (stores for every module)
