"""data/ is what `make data` makes, byte for byte, and the data card documents every column."""

import re

import pandas as pd

from pageturn.course import data, databuild
from thiscourse import ROOT


def test_regeneration_is_byte_identical():
    built = databuild.build()
    assert set(built) == set(databuild.FILES) == {d.file for d in data.DATASETS}
    for name, content in built.items():
        assert (ROOT / "data" / name).read_bytes() == content, f"data/{name} is stale: run `make data`"
    assert databuild.build() == built


def test_data_is_small_enough_for_a_quick_clone():
    total = sum(p.stat().st_size for p in (ROOT / "data").iterdir())
    assert total < 5 * 1024 * 1024


def test_each_dataset_loads_with_its_time_columns_parsed():
    """One table (data.DATASETS) names each dataset, its file and its time columns."""
    for dataset in data.DATASETS:
        frame = data.load(dataset.name)
        assert frame.equals(data.load(dataset.file))
        for column in dataset.dates:
            assert pd.api.types.is_datetime64_any_dtype(frame[column]), f"{dataset.name}.{column}"
        others = [c for c in frame.columns if c not in dataset.dates]
        assert not any(pd.api.types.is_datetime64_any_dtype(frame[c]) for c in others)


def test_data_card_documents_every_column():
    card = (ROOT / "data" / "README.md").read_text()
    for short in data.NAMES:
        assert data.NAMES[short] in card, f"data/README.md does not name {data.NAMES[short]}"
        frame = data.load(short)
        for column in frame.columns:
            assert re.search(rf"`{re.escape(column)}`", card), f"{short}.{column} missing from data/README.md"
    for fact in ("seed", "licen", str(databuild.SEED)):
        assert fact in card.lower() or fact in card


def test_request_log_covers_a_week_on_several_servers():
    requests = data.load("requests")
    span = requests["timestamp"].max() - requests["timestamp"].min()
    assert span >= pd.Timedelta(days=6.9)
    assert requests["server"].nunique() >= 3
    assert len(data.load("incidents")) > 0 and len(data.load("deploys")) > 0


def test_data_is_found_from_any_lab_folder(tmp_path, monkeypatch):
    deep = ROOT / "grading" / "source"
    monkeypatch.chdir(deep)
    assert data.folder() == ROOT / "data"
    monkeypatch.setenv("PAGETURN_DATA", str(tmp_path))
    (tmp_path / "deploys.csv").write_text("x\n")
    assert data.folder() == tmp_path


def test_unknown_dataset_name_is_a_clear_error():
    import pytest

    with pytest.raises(ValueError, match="name must be one of 'requests'.*got 'reqs'"):
        data.path("reqs")
