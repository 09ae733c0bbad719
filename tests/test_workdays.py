"""Working days on the official calendar: hand-counted deadlines across 国庆 and 春节 with
their make-up Saturdays, provisional deadlines past the package's last year, and a year
entered by an admin."""
from datetime import date

import pytest

from portal import workdays
from portal.workdays import HOLIDAY, MAKEUP_WORKDAY, WorkCalendar

CAL = WorkCalendar()


def test_national_day_2025_with_its_makeup_sunday_and_saturday():
    # Received Fri 26 Sep 2025. Counting: Sun 28 Sep (调休上班) 1, Mon 29 2, Tue 30 3,
    # 1-8 Oct holiday, Thu 9 4, Fri 10 5, Sat 11 Oct (调休上班) 6, Mon 13 Oct 7.
    due = CAL.add_working_days(date(2025, 9, 26), 7)
    assert due.day == date(2025, 10, 13) and not due.provisional
    # Counting weekends only would wrongly give Tue 7 Oct.
    weekends_only = WorkCalendar()
    weekends_only.holidays, weekends_only.workdays = set(), set()
    assert weekends_only.add_working_days(date(2025, 9, 26), 7).day == date(2025, 10, 7)


def test_spring_festival_2026_with_makeup_saturdays():
    # Received Thu 12 Feb 2026: Fri 13 1, Sat 14 (调休上班) 2, 15-23 Feb holiday,
    # Tue 24 3, Wed 25 4, Thu 26 5, Fri 27 6, Sat 28 Feb (调休上班) 7.
    assert CAL.add_working_days(date(2026, 2, 12), 7).day == date(2026, 2, 28)
    assert CAL.is_workday(date(2026, 2, 14)) and CAL.is_workday(date(2026, 2, 28))
    assert not CAL.is_workday(date(2026, 2, 16))
    # 45 working days of mediation from acceptance on Mon 2 Feb 2026, hand-counted:
    # 3-13 Feb 9, Sat 14 Feb 10, 24-28 Feb 15 (Sat 28 included), March 22 -> 37,
    # 1-3 Apr 40, 清明 4-6 Apr off, 7-10 Apr 44, Mon 13 Apr 45.
    assert CAL.add_working_days(date(2026, 2, 2), 45).day == date(2026, 4, 13)


def test_working_days_between_counts_after_the_first_day():
    assert CAL.working_days_between(date(2025, 9, 26), date(2025, 10, 13)) == 7
    assert CAL.working_days_between(date(2025, 10, 13), date(2025, 9, 26)) == -7
    assert CAL.working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0


def test_deadline_past_the_known_years_is_provisional_then_exact_once_entered():
    due = CAL.add_working_days(date(2026, 12, 20), 15)
    assert due.provisional
    # Weekends only in 2027: 21-25 Dec 5, 28-31 Dec 9 (Dec 26/27 weekend), Jan 1 Fri 10,
    # Jan 4-8 15.
    assert due.day == date(2027, 1, 8)
    entered = WorkCalendar({date(2027, 1, 1): HOLIDAY, date(2027, 1, 2): HOLIDAY,
                            date(2027, 1, 3): HOLIDAY, date(2027, 1, 9): MAKEUP_WORKDAY})
    exact = entered.add_working_days(date(2026, 12, 20), 15)
    assert not exact.provisional
    # Jan 1 is now a holiday and Sat 9 Jan a make-up workday: the 15th day is Sat 9 Jan.
    assert exact.day == date(2027, 1, 9)


def test_holiday_file_parsing_reports_every_bad_line():
    rows = [["日期", "类型", "名称"], ["2027-01-01", "休", "元旦"], ["2027-13-01", "休", ""],
            ["2027-02-06", "班", "春节"], ["2027-02-08", "班", "春节"], ["2027-02-09", "加班", ""]]
    with pytest.raises(workdays.InputError) as exc:
        workdays.parse_rows(rows)
    message = exc.value.errors["rows"]
    assert "第 3 行" in message and "第 5 行" in message and "第 6 行" in message
    good = workdays.parse_rows(rows[:2] + [rows[3]])
    assert [(r.day, r.kind) for r in good] == [(date(2027, 1, 1), HOLIDAY),
                                              (date(2027, 2, 6), MAKEUP_WORKDAY)]


def test_shared_calendar_file_agrees_with_the_package():
    """The real calendar dump in ../shared is what the package holds."""
    import csv

    from conftest import SHARED

    path = SHARED / "data/real/calendar/cn_holidays_workdays_2004_2026_chinesecalendar-1.11.0.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 771
    for row in rows:
        day = date.fromisoformat(row["date"])
        assert CAL.is_workday(day) == (row["kind"] == MAKEUP_WORKDAY), row


def test_cli_enters_a_year_and_refuses_a_bad_file(portal, tmp_path, monkeypatch, capsys):
    from portal.cli import main

    monkeypatch.setenv("PORTAL_DATABASE_URL", portal.settings.database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(portal.settings.var_dir))
    monkeypatch.setenv("PORTAL_DEMO", "0")
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类型\n2027-01-01,休\n2027-02-31,休\n", encoding="utf-8")
    assert main(["holidays", "import", str(bad), "--source", "国务院通知（测试）"]) == 2
    assert "第 3 行" in capsys.readouterr().err
    good = tmp_path / "2027.csv"
    rows = ["日期,类型,名称"] + [f"2027-01-0{d},休,元旦" for d in (1, 2, 3)] + \
        [f"2027-02-{d:02d},休,春节" for d in range(6, 14)] + ["2027-02-20,班,春节"]
    good.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["holidays", "import", str(good), "--source", "国务院办公厅关于2027年部分节假日安排的通知（测试）"]) == 0
    assert "已登记 2027 年" in capsys.readouterr().out
    from portal.workdays import load_calendar

    with portal.db.read() as session:
        calendar = load_calendar(session)
    assert 2027 in calendar.known_years
    assert not calendar.is_workday(date(2027, 2, 8)) and calendar.is_workday(date(2027, 2, 20))
