"""The security suite's own checks (the rest of the suite: test_hostile_inputs.py for every
public form and search box, test_pages.py and test_accounts.py for roles, lock-out and idle
sign-out, test_exports.py for formula cells, test_complaint_pages.py for personal data on
public pages, and more: each is marked `security`). Run the whole security suite alone with:
python -m pytest -m security"""
import io
import zipfile

import pytest

from portal.tables import TableError, read_table

pytestmark = pytest.mark.security


def _zip_bomb() -> bytes:
    """A valid-looking .xlsx whose sheet expands from about 0.5 MB to 500 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"0" * (1024 * 1024)
            for _ in range(500):
                sheet.write(chunk)
    return out.getvalue()


def test_zip_bomb_disguised_as_xlsx_is_refused_before_decompressing():
    bomb = _zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(TableError) as exc:
        read_table(bomb, "公告.xlsx")
    assert "解压后异常巨大" in str(exc.value)


# Ids of their own: pytest names a test after its parameters, and a 51 MB file's bytes made
# a 53 MB test id that every test process built and sent to the others.
@pytest.mark.parametrize("data,name,message", [
    pytest.param(b"%PDF-1.7 not a spreadsheet", "公告.xlsx", "内容不是 Excel", id="pdf-as-xlsx"),
    pytest.param(b"PK\x03\x04 broken zip", "公告.xlsx", "已损坏", id="broken-zip"),
    pytest.param(51 * 1024 * 1024, "公告.csv", "超过 50 MB", id="csv-of-51-mb"),
    pytest.param(b"MZ\x90\x00 an executable", "公告.exe", "只能导入", id="exe"),
])
def test_uploads_of_the_wrong_kind_are_refused(data, name, message):
    data = b"x" * data if isinstance(data, int) else data     # the big one made only when run
    with pytest.raises(TableError) as exc:
        read_table(data, name)
    assert message in str(exc.value)


def test_formula_cells_are_kept_as_text_and_neutralised_in_exports():
    import pandas as pd

    from portal.exports import to_csv_bytes

    rows = read_table("食品名称,被抽样单位名称\n=HYPERLINK(\"http://evil\"),+SUM(A1)\n".encode(), "a.csv")
    assert rows[1][0].startswith("=HYPERLINK")
    csv = to_csv_bytes(pd.DataFrame({"a": [rows[1][0], "@cmd", "-1+1", "+x"]})).decode("utf-8-sig")
    for line in csv.splitlines()[1:]:
        assert not line.lstrip('"').startswith(("=", "+", "-", "@")), line


def test_no_public_export_or_page_shows_a_voters_phone(portal):
    """Votes keep only the keyed hash of the verified phone."""
    from datetime import timedelta

    from sqlalchemy import select

    from portal.accounts.rules import cli_actor
    from portal.personal import keyed_hash
    from portal.rounds import management, participation
    from portal.rounds.models import Candidate, Vote
    from portal.timeutil import local_today

    today = local_today()
    with portal.db.write() as session:
        r = management.create_round(session, cli_actor("t"), {
            "title": "隐私测试一期", "description": "检查投票不保存手机号。",
            "proposal_from": today - timedelta(days=9), "proposal_to": today - timedelta(days=8),
            "vote_from": today, "vote_to": today + timedelta(days=3),
            "results_due": today + timedelta(days=9), "sample_count": 1, "daily_votes": 1})
        session.add(Candidate(round_id=r.id, food="测试", status="accepted"))
        session.flush()
        cid = session.scalar(select(Candidate.id).where(Candidate.round_id == r.id))
    phone = "13955554444"
    who = keyed_hash(portal.settings.secret_key, "phone", phone)
    with portal.db.write() as session:
        participation.vote(session, portal.settings.secret_key, r.id, cid, who, "10.0.0.9")
    with portal.db.read() as session:
        stored = [str(v) for vote in session.scalars(select(Vote)) for v in vote.__dict__.values()]
    assert stored and not any(phone in s or phone[-8:] in s for s in stored)


WRONG_ROLE_CASES = [(spec.path, role) for spec in __import__("portal.ui.nav", fromlist=["PAGES"]).PAGES
                    if spec.role for role in ("handler", "publisher", "analyst") if role != spec.role]


@pytest.mark.parametrize("path,role", WRONG_ROLE_CASES, ids=[f"{p}-{r}" for p, r in WRONG_ROLE_CASES])
def test_every_official_page_refuses_each_wrong_role(app_env, path, role):
    """Signed in with a role the page does not allow: refused, no table or figure shown."""
    from helpers.pages import demo_password, open_page, sign_in, texts

    at = open_page("pages/login.py")
    sign_in(at, f"demo_{role}", demo_password(app_env, f"demo_{role}"))
    at.switch_page(path).run()
    assert not at.exception, at.exception
    assert "没有访问此页面的权限" in texts(at)
    assert not at.dataframe and not at.metric and not at.table


