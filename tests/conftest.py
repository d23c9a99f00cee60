"""Shared fixtures: the province, the calibrated sample (built once per session, in a temporary store)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def province():
    from etl.province import load_province
    return load_province("04")


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory, province) -> Path:
    """The sample returns (300 workbooks, 2021–2025), written once per test session."""
    from etl.sample import write_sample
    out = tmp_path_factory.mktemp("samples")
    write_sample(province, out)
    return out


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory, sample_dir, province) -> Path:
    """A Parquet store built from the sample returns; treat it as read-only (copy it to modify)."""
    from etl.load import load_files, read_paths
    root = tmp_path_factory.mktemp("store")
    rep = load_files(read_paths(sorted(sample_dir.glob("*.xlsx"))), "test", province, root=root, replace_all=True)
    assert rep.ok, rep.messages()[:5]
    return root
