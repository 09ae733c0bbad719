"""8 processes filing 250 complaints each at once: 2,000 rows, every tracking number unique,
nothing lost, no "database is locked" on SQLite; the same on PostgreSQL."""
from helpers.complaints import add_business
from benchmarks.complaint_load import file_concurrently


def test_eight_processes_file_two_thousand(portal):
    business_id = add_business(portal)
    result = file_concurrently(portal.db.url, portal.settings.secret_key, portal.profile.adcode,
                               business_id, processes=8, per_process=250)
    assert not result.errors, result.errors
    assert result.filed == result.rows == result.unique_numbers == result.events == 2000
