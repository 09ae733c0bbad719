"""The failed-item explanations in English for English visitors (data/sampling/glossary.json)."""
import re

from sqlalchemy import select

from portal.rounds.models import Candidate, CandidateBatch
from portal.sampling.glossary import all_entries, explain
from portal.sampling.models import FAILED, FailedItem, SamplingBatch
from helpers.pages import open_page, texts
from test_sampling_pages import db, open_with

CJK = re.compile(r"[\u4e00-\u9fff]")
FIELDS = ("name", "kind", "what", "why", "causes")


def test_every_entry_has_english_without_chinese_left_in_it():
    for entry in all_entries():
        english = entry["en"]
        assert set(english) == set(FIELDS), entry["name"]
        assert all(english[f].strip() and not CJK.search(english[f]) for f in FIELDS), english


def test_explain_gives_the_visitors_language():
    chinese = explain("铅(以Pb计)")
    assert chinese["what"] == "一种重金属污染物。" and chinese["name"] == "铅"
    english = explain("铅（以Pb计）", english=True)
    assert english["name"] == "Lead" and "heavy-metal" in english["what"]
    assert english["kind"].startswith("Heavy metals")
    assert explain("菌落总数(CFU/g)", english=True)["name"] == "Total bacterial count"
    assert explain("不在词表里的项目", english=True) is None
    assert explain("铅")["what"] == "一种重金属污染物。"   # the cached entry is not changed


def _failed_batch_with_explained_item():
    with db().read() as session:
        for batch in session.scalars(select(SamplingBatch).where(SamplingBatch.result == FAILED)):
            for item in batch.failed_items:
                entry = explain(item.item, english=True)
                if entry:
                    return batch.id, item.item, entry
    raise AssertionError("the demo has no failed batch with an explained item")


def test_batch_detail_explains_in_english(app_env):
    open_page("pages/sampling.py")   # seeds the demo data
    batch_id, item, entry = _failed_batch_with_explained_item()
    at = open_with({"batch": str(batch_id), "lang": "en"})
    assert not at.exception
    body = texts(at)
    assert "What is it?" in body and entry["what"] in body and entry["why"] in body
    assert entry["causes"] in body and entry["kind"] in body and f"({entry['name']})" in body
    chinese = texts(open_with({"batch": str(batch_id)}))
    assert explain(item)["what"] in chinese and entry["what"] not in chinese


def test_round_results_explain_in_english(app_env):
    open_page("streamlit_app.py")   # seeds the demo data
    with db().write() as session:
        link = session.scalar(select(CandidateBatch).order_by(CandidateBatch.id))
        round_id = session.get(Candidate, link.candidate_id).round_id
        batch = session.get(SamplingBatch, link.batch_id)
        batch.result = FAILED
        batch.failed_items.append(FailedItem(item="铅(以Pb计)", result_value="0.5mg/kg",
                                             standard_value="≤0.2mg/kg", position=99))
    at = open_page("streamlit_app.py")
    at.switch_page("pages/rounds.py")
    at.query_params["round"] = str(round_id)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert explain("铅", english=True)["what"] in texts(at)
