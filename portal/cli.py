"""python -m portal ...: init, demo, users, import, holidays, complaints, notify, geo."""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path

from portal.config import ConfigError, load_settings


def _actor():
    from portal.accounts.rules import cli_actor

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return cli_actor(user)


def _portal(seed_demo: bool = False):
    from portal.bootstrap import bootstrap

    return bootstrap(load_settings(), seed_demo=seed_demo)


def cmd_init(args) -> int:
    portal = _portal(seed_demo=False)
    from portal.db import current_revision

    print(f"数据库已就绪：{portal.db.engine.url.render_as_string(hide_password=True)}，"
          f"版本 {current_revision(portal.db.engine)}，辖区 {portal.profile.name}")
    return 0


def cmd_demo(args) -> int:
    from portal.demo import generator

    portal = _portal(seed_demo=False)
    if args.clear:
        removed = generator.clear(portal.db, _actor())
        print("已清除演示数据：" + "，".join(f"{k} {v} 行" for k, v in removed.items()))
        return 0
    written = generator.generate(portal.db, portal.profile, args.scale, seed=args.seed,
                                 actor=_actor(), secret_key=portal.settings.secret_key)
    print(f"已生成演示数据（{args.scale}，{portal.profile.name}）：" +
          "，".join(f"{k} {v} 行" for k, v in written.items()))
    path = generator.create_demo_accounts(portal.db, portal.settings.var_dir)
    if path:
        print(f"演示账号的用户名和随机密码已写入 {path}（仅本机所有者可读）")
    return 0


def _read_password(prompt_twice: bool) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if prompt_twice and getpass.getpass("再次输入密码：") != first:
        raise SystemExit("两次输入的密码不一致")
    return first


def _users_identity(portal, args) -> int:
    from portal.accounts import identities
    from portal.validation import InputError

    data = {"issuer": args.issuer, "subject": args.subject}
    try:
        with portal.db.write() as session:
            if args.users_command == "link-identity":
                identities.link(session, _actor(), args.name, data)
                name = args.name.strip().lower()
            else:
                name = identities.unlink(session, _actor(), data).username
    except InputError as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(f"已把该身份关联到账号 {name}，已记入审计日志" if args.users_command == "link-identity"
          else f"已取消该身份与账号 {name} 的关联，已记入审计日志")
    return 0


def cmd_users(args) -> int:
    from portal.accounts import actions
    from portal.accounts.views import official_rows
    from portal.validation import InputError

    portal = _portal(seed_demo=False)
    if args.users_command == "list":
        with portal.db.read() as session:
            for row in official_rows(actions.list_officials(session)):
                print("\t".join(str(v) for v in row.values()))
        return 0
    if args.users_command in ("link-identity", "unlink-identity"):
        return _users_identity(portal, args)
    if args.users_command in ("set-email", "unlock"):
        try:
            with portal.db.write() as session:
                if args.users_command == "set-email":
                    email = actions.set_email(session, _actor(), args.name, args.email).email
                else:
                    cleared = actions.unlock(session, _actor(), args.name)
        except InputError as exc:
            for field, message in exc.errors.items():
                print(f"{field}: {message}", file=sys.stderr)
            return 2
        if args.users_command == "set-email":
            print(f"已{'设置' if email else '删除'}账号 {args.name.strip().lower()} 的工作邮箱，已记入审计日志")
            return 0
        print(f"已解除账号 {args.name.strip().lower()} 的登录限制（清除 {cleared} 条记录），已记入审计日志")
        return 0
    password = _read_password(prompt_twice=True)
    try:
        with portal.db.write() as session:
            actions.create_official(session, _actor(), {
                "username": args.name, "display_name": args.display_name or args.name,
                "roles": args.role, "password": password})
    except InputError as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(f"已创建账号 {args.name.strip().lower()}（角色：{'、'.join(args.role)}）")
    return 0


def cmd_import(args) -> int:
    """Exit 0 when the file was read (even with rejected rows), 2 when refused."""
    import json

    from portal.importers.sampling import import_sampling

    portal = _portal(seed_demo=False)
    path = Path(args.file)
    if not path.is_file():
        report = {"rows": 0, "imported": 0, "updated": 0, "duplicates": 0, "rejected": 0,
                  "errors": [], "refused": f"找不到文件 {path}"}
        print(json.dumps(report, ensure_ascii=False) if args.json else report["refused"])
        return 2
    if args.import_kind == "sampling":
        columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
        with portal.db.write() as session:
            report = import_sampling(session, _actor(), path.read_bytes(), path.name,
                                     portal.profile, dry_run=args.dry_run, column_names=columns,
                                     outside=args.outside)
    elif args.import_kind == "test-rooms":
        from portal.test_rooms.importer import import_rooms

        with portal.db.write() as session:
            report = import_rooms(session, _actor(), path.read_bytes(), path.name, portal.profile,
                                  dry_run=args.dry_run)
    elif args.import_kind == "rapid-tests":
        from portal.importers.rapid_tests import import_rapid_tests

        with portal.db.write() as session:
            report = import_rapid_tests(session, _actor(), path.read_bytes(), path.name,
                                        dry_run=args.dry_run)
    else:
        from portal.importers.registry import import_registry

        with portal.db.write() as session:
            report = import_registry(session, _actor(), path.read_bytes(), path.name,
                                     args.import_kind, portal.profile, dry_run=args.dry_run)
    if not args.json:
        if report.refused:
            print(f"未导入：{report.refused}", file=sys.stderr)
        else:
            prefix = "（试导入，未写入）" if args.dry_run else ""
            print(f"{prefix}共 {report.rows} 行：新增 {report.imported}，更新 {report.updated}，"
                  f"重复 {report.duplicates}，拒收 {report.rejected}")
            if getattr(report, "outside", 0):
                print(_outside_line(report, portal.profile, getattr(args, "outside", None)))
            for error in report.errors:
                print(f"  第 {error['row']} 行［{error['column']}］{error['message']}")
    else:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    return 2 if report.refused else 0


def _outside_line(report, profile, choice: str | None) -> str:
    from portal.importers.sampling import OUTSIDE_CHOICES, outside_text

    line = f"其中 {outside_text(report.outside, profile)}："
    if choice == "skip":
        return line + f"已跳过 {report.skipped} 个。"
    if choice in OUTSIDE_CHOICES:
        return line + OUTSIDE_CHOICES[choice] + "。"
    return line + "正式导入时请用 " + "，或 ".join(
        f"--outside {key}（{label}）" for key, label in OUTSIDE_CHOICES.items()) + "。"


def cmd_geo(args) -> int:
    from portal.geo import convert_datav_boundaries

    count = convert_datav_boundaries(Path(args.src), Path(args.dest), args.provenance)
    print(f"已写入 {count} 个区县边界（WGS-84）到 {args.dest}")
    return 0


def cmd_holidays(args) -> int:
    from portal import workdays
    from portal.complaints import deadlines
    from portal.validation import InputError

    portal = _portal()
    path = Path(args.file)
    try:
        rows = workdays.read_file(path.read_bytes(), path.name)
        with portal.db.write() as session:
            summary = deadlines.enter_year(session, _actor(), rows, args.source)
    except InputError as exc:
        for field, message in exc.errors.items():
            print(f"错误（{field}）：{message}", file=sys.stderr)
        return 2
    print(f"已登记 {summary['year']} 年节假日安排：放假 {summary['holidays']} 天，调休上班 "
          f"{summary['makeup_workdays']} 天；重算了 {summary['deadlines_recomputed']} 件未办结案件的期限")
    return 0


def cmd_complaints(args) -> int:
    from portal.complaints.retention import erase_expired

    portal = _portal()
    with portal.db.write() as session:
        count = erase_expired(session, portal.settings.complaint_retention_years, actor=_actor())
    print(f"已删除 {count} 件办结满 {portal.settings.complaint_retention_years} 年案件中的个人信息")
    return 0


def cmd_test_rooms(args) -> int:
    from portal.test_rooms.actions import erase_expired

    portal = _portal()
    days = portal.settings.test_room_retention_days
    with portal.db.write() as session:
        count = erase_expired(session, days, actor=_actor())
    print(f"已删除 {count} 个预约日期已过 {days} 天的快检预约中的手机号")
    return 0


def cmd_notify(args) -> int:
    from portal.notices import delivery, sms

    portal = _portal()
    if not portal.settings.smtp_url and not sms.available(portal.settings):
        print("未设置 PORTAL_SMTP_URL（发信服务器），也没有短信网关（PORTAL_PHONE_VERIFICATION=webhook 和 "
              "PORTAL_SMS_WEBHOOK_URL），无法发送通知", file=sys.stderr)
        return 2
    if args.notify_command == "run-once":
        stats = delivery.run_once(portal.db, portal.settings, batch=args.batch, lease_seconds=args.lease)
        # Messages are mails and SMS alike: counted in 条, not a letter's 封.
        print(f"回访问卷 {stats.follow_ups} 份，分发 {stats.fanned_out} 条，发出 {stats.sent} 条，稍后重试 {stats.retried} 条，"
              f"失败 {stats.failed} 条，无需发送 {stats.dropped} 条；每日汇总 {stats.digests} 份，"
              f"办理到期提醒 {stats.handler_digests} 封")
        return 0
    logging.getLogger("portal.notices").setLevel(logging.INFO)
    try:
        delivery.worker(portal.db, portal.settings, idle_seconds=args.idle, batch=args.batch,
                        lease_seconds=args.lease)
    except KeyboardInterrupt:
        pass
    return 0


def cmd_backup(args) -> int:
    from portal.backup import BackupError, backup
    from portal.db import Database

    settings = load_settings()
    try:
        path = backup(Database(settings.database_url), Path(args.path))
    except BackupError as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return 2
    print(f"已备份到 {path}（{path.stat().st_size:,} 字节）")
    return 0


def cmd_restore(args) -> int:
    from portal.backup import BackupError, restore
    from portal.db import Database

    settings = load_settings()
    try:
        restore(Database(settings.database_url), Path(args.path), force=args.force)
    except BackupError as exc:
        print(f"恢复失败：{exc}", file=sys.stderr)
        return 2
    print(f"已从 {args.path} 恢复。启动门户时会自动升级到当前版本的数据库结构。")
    return 0


def cmd_i18n(args) -> int:
    from portal.i18n_catalog import untranslated, update

    total, added, dropped = update("en")
    missing = untranslated("en")
    print(f"{total} texts; {added} new, {dropped} no longer used; {len(missing)} without English")
    for text in missing[:20]:
        print("  " + text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from portal.accounts.rules import ROLES
    from portal.config import DEMO_SCALES

    parser = argparse.ArgumentParser(prog="python -m portal", description="食品安全门户管理命令")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create or migrate the database").set_defaults(func=cmd_init)

    demo = sub.add_parser("demo", help="generate or clear demo data (演示数据)")
    demo.add_argument("--scale", choices=DEMO_SCALES, default="small")
    demo.add_argument("--seed", type=int, default=20261122)
    demo.add_argument("--clear", action="store_true", help="remove every demo-marked row")
    demo.set_defaults(func=cmd_demo)

    users = sub.add_parser("users", help="officials' accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="create an account; password from stdin or a prompt")
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, choices=list(ROLES))
    add.add_argument("--display-name")
    users_sub.add_parser("list")
    email = users_sub.add_parser("set-email", help="set an official's work e-mail (the handlers' morning "
                                                   "digest goes there; '' removes it; audited)")
    email.add_argument("name")
    email.add_argument("email")
    users_sub.add_parser("unlock", help="clear the sign-in delays on an account (audited)") \
        .add_argument("name")
    link = users_sub.add_parser("link-identity", help="link a single sign-on identity (OIDC issuer + "
                                "subject) to an account (audited)")
    link.add_argument("name")
    unlink = users_sub.add_parser("unlink-identity", help="remove a single sign-on identity's link "
                                  "(its sessions end; audited)")
    for sub_parser in (link, unlink):
        sub_parser.add_argument("--issuer", required=True, help="the provider's iss, https://...")
        sub_parser.add_argument("--subject", required=True, help="the person's sub at that provider")
    users.set_defaults(func=cmd_users)

    imp = sub.add_parser("import", help="import an announcement file")
    imp_sub = imp.add_subparsers(dest="import_kind", required=True)
    sampling = imp_sub.add_parser("sampling", help="sampling results (.xlsx, .xls, .csv)")
    sampling.add_argument("file")
    sampling.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    sampling.add_argument("--json", action="store_true", help="one JSON line as the last output")
    sampling.add_argument("--columns", help="comma-separated column names for a headerless file")
    sampling.add_argument("--outside", choices=["skip", "keep", "local"],
                          help="batches not recognised as sampled in the jurisdiction: skip them, keep "
                               "them as 外地 (published, no local 核查处置), or local (sampled here "
                               "after all); required when the file has any")
    for kind, text in (("businesses", "the business registry"), ("grades", "rating inspections"),
                       ("lists", "red and black list entries"),
                       ("test-rooms", "the testing rooms (快检室名录)"),
                       ("rapid-tests", "markets' daily rapid-test sheets (快检公示)")):
        other = imp_sub.add_parser(kind, help=f"{text} (.xlsx, .xls, .csv)")
        other.add_argument("file")
        other.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        other.add_argument("--json", action="store_true", help="one JSON line as the last output")
    imp.set_defaults(func=cmd_import)

    hol = sub.add_parser("holidays", help="a year's holiday arrangement (State Council notice)")
    hol_sub = hol.add_subparsers(dest="holidays_command", required=True)
    hol_import = hol_sub.add_parser("import", help="CSV/XLSX with columns 日期, 类型 (休/班), 名称")
    hol_import.add_argument("file")
    hol_import.add_argument("--source", required=True, help="the notice's title and number")
    hol.set_defaults(func=cmd_holidays)

    comp = sub.add_parser("complaints", help="complaints and reports")
    comp_sub = comp.add_subparsers(dest="complaints_command", required=True)
    comp_sub.add_parser("erase-expired", help="erase personal data past the retention period")
    comp.set_defaults(func=cmd_complaints)

    rooms = sub.add_parser("test-rooms", help="testing rooms (快检室) and their bookings")
    rooms_sub = rooms.add_subparsers(dest="test_rooms_command", required=True)
    rooms_sub.add_parser("erase-expired", help="erase bookers' phones past the retention period")
    rooms.set_defaults(func=cmd_test_rooms)
    notify = sub.add_parser("notify", help="send notices (follows, complaint notices) by e-mail and SMS")
    notify_sub = notify.add_subparsers(dest="notify_command", required=True)
    once = notify_sub.add_parser("run-once", help="fan out waiting events, send every due message, exit")
    run = notify_sub.add_parser("worker", help="keep sending (run beside the portal; several may run)")
    run.add_argument("--idle", type=float, default=5.0, help="seconds to wait when nothing is due")
    for sub_parser in (once, run):
        sub_parser.add_argument("--batch", type=int, default=200, help="messages claimed at a time")
        sub_parser.add_argument("--lease", type=int, default=300,
                                help="seconds a claim lasts: a worker that died leaves its messages "
                                     "to the others after that")
    notify.set_defaults(func=cmd_notify)

    back = sub.add_parser("backup", help="a consistent copy of the database (SQLite online "
                          "backup; PostgreSQL pg_dump custom format)")
    back.add_argument("path")
    back.set_defaults(func=cmd_backup)
    rest = sub.add_parser("restore", help="restore a backup into an empty database")
    rest.add_argument("path")
    rest.add_argument("--force", action="store_true", help="overwrite a database that has tables")
    rest.set_defaults(func=cmd_restore)

    lang = sub.add_parser("i18n", help="collect the public pages' texts into data/i18n/en.po")
    lang.set_defaults(func=cmd_i18n)

    geo = sub.add_parser("geo", help="boundary files")
    geo_sub = geo.add_subparsers(dest="geo_command", required=True)
    convert = geo_sub.add_parser("convert-boundaries", help="DataV GCJ-02 -> WGS-84 GeoJSON")
    convert.add_argument("src")
    convert.add_argument("dest")
    convert.add_argument("--provenance", required=True)
    geo.set_defaults(func=cmd_geo)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
