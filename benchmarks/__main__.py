import argparse
import importlib
import sys

NAMES = ["sampling_search", "sampling_import", "map_build", "complaints_concurrency",
         "votes_concurrency", "survey_dashboard", "api_pages", "page_visits", "door_page",
         "rapid_tests", "notify_fanout"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("name", choices=NAMES + ["all"])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, same targets")
    args = parser.parse_args()
    records = []
    for name in NAMES if args.name == "all" else [args.name]:
        records += importlib.import_module(f"benchmarks.{name}").run(args.quick)
    return 0 if records and all(r["ok"] for r in records) else 1


sys.exit(main())
