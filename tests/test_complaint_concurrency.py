"""4 processes filing 100 complaints each at once (8 × 250 in `python -m benchmarks
complaints_concurrency`): 400 rows, every tracking number unique, nothing lost, no "database
is locked" on SQLite; the same on PostgreSQL. (Four processes on the test machine's two cores
already interleave every write; the benchmark keeps the full size.)"""
from helpers.complaints import add_business
from benchmarks.complaint_load import file_concurrently


def test_four_processes_file_four_hundred(portal):
    business_id = add_business(portal)
    result = file_concurrently(portal.db.url, portal.settings.secret_key, portal.profile.adcode,
                               business_id, processes=4, per_process=100)
    assert not result.errors, result.errors
    assert result.filed == result.rows == result.unique_numbers == result.events == 400
