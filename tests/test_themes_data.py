"""The labelled open answers (tests/data/themes): shape, vocabulary and the fixed split."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

FOLDER = Path(__file__).parent / "data" / "themes"
THEMES = {"reliability", "empathy", "customer_focus", "customer_knowledge", "wait_time", "accessibility", "menu",
          "price", "product", "outcome", "channel"}


def _table() -> pd.DataFrame:
    return pd.read_csv(FOLDER / "answers.csv", dtype=str, keep_default_na=False)


def test_columns_and_size():
    table = _table()
    assert list(table.columns) == ["id", "language", "text", "themes", "polarity", "split"]
    assert table["id"].is_unique
    counts = table["language"].value_counts()
    assert counts["nl"] >= 400 and counts["en"] >= 400
    assert (table["text"].str.strip() != "").all()
    assert not table.duplicated(["language", "text"]).any()


def test_labels_use_the_guide_vocabulary():
    table = _table()
    assert set(table["polarity"]) == {"praise", "complaint", "neutral", "mixed"}
    for themes, overall in zip(table["themes"], table["polarity"]):
        pairs = [item.split(":") for item in themes.split(";") if item]
        assert all(theme in THEMES and pol in {"praise", "complaint", "neutral"} for theme, pol in pairs)
        assert len({theme for theme, _ in pairs}) == len(pairs)     # one theme once
        judged = {pol for _, pol in pairs} - {"neutral"}
        if judged == {"praise", "complaint"}:
            assert overall == "mixed"
        elif judged:
            assert overall == judged.pop()


def test_split_is_the_seeded_draw_of_the_guide():
    spec = importlib.util.spec_from_file_location("assign_split", FOLDER / "assign_split.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = _table()
    assert (table["split"] == module.assign_split(table)).all()
    # 'dev' and 'retired' (the former held-out half): both development material now (GUIDE.md, 'Split')
    assert set(table["split"]) == {"dev", "retired"}
    for lang in ("nl", "en"):
        sizes = table.loc[table["language"] == lang, "split"].value_counts()
        assert abs(sizes["dev"] - sizes["retired"]) <= 1
    # Every theme occurs in both halves of both languages.
    for lang in ("nl", "en"):
        for split in ("dev", "retired"):
            part = table[(table["language"] == lang) & (table["split"] == split)]
            found = {item.split(":")[0] for themes in part["themes"] for item in themes.split(";") if item}
            assert THEMES <= found


def test_first_fresh_set_is_retired_to_development():
    # evaluated once (session 4), then retired: read and trained on like answers.csv (GUIDE.md, 'Split')
    for lang in ("nl", "en"):
        table = pd.read_csv(FOLDER / f"fresh_{lang}.csv", dtype=str, keep_default_na=False)
        assert list(table.columns) == ["id", "language", "text", "themes", "polarity", "split"]
        assert set(table["split"]) == {"retired"} and set(table["language"]) == {lang}
        assert len(table) == 400 and table["id"].is_unique


def test_shipped_training_answers_are_the_development_material():
    spec = importlib.util.spec_from_file_location("ship_training", FOLDER / "ship_training.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for lang in ("nl", "en"):
        shipped = pd.read_csv(module.shipped_path(lang), dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(shipped, module.development(lang))
        assert len(shipped) >= 800
        assert not shipped["id"].str.contains("fresh2").any()
    # a blind set is never among the sources
    assert all("fresh2" not in name for name in module.SOURCES) and "fresh2" not in module.DEVELOPMENT
