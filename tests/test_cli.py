import os

from helpers.cli import call_cli, run_cli


def test_cli_init_demo_users_and_clear(tmp_path, empty_db_url):
    env = {**os.environ, "PORTAL_DATABASE_URL": empty_db_url, "PORTAL_VAR_DIR": str(tmp_path),
           "PORTAL_DEMO": "0"}
    from portal.db import head_revision
    # The first steps run `python -m portal` as a person does; the rest call the same main()
    # in this process (helpers/cli.py).
    assert head_revision() in run_cli(["init"], env).stdout
    demo = run_cli(["demo", "--scale", "small"], env)
    assert demo.returncode == 0 and "businesses 600" in demo.stdout
    assert "demo_accounts.txt" in demo.stdout
    added = run_cli(["users", "add", "Wang.Li", "--role", "handler", "--role", "analyst"], env,
                 stdin="Handler-pass-1\n")
    assert added.returncode == 0, added.stderr
    assert "Handler-pass-1" not in added.stdout + added.stderr
    weak = call_cli(["users", "add", "zhao", "--role", "admin"], env, stdin="short\n")
    assert weak.returncode == 2 and "密码" in weak.stderr
    listing = call_cli(["users", "list"], env).stdout
    assert "wang.li" in listing and "zhao" not in listing
    common = call_cli(["users", "add", "zhao", "--role", "admin"], env, stdin="Password12\n")
    assert common.returncode == 2 and "密码太容易被猜到" in common.stderr
    unlocked = call_cli(["users", "unlock", "WANG.LI"], env)
    assert unlocked.returncode == 0 and "已解除账号 wang.li 的登录限制" in unlocked.stdout
    assert call_cli(["users", "unlock", "nobody"], env).returncode == 2
    cleared = call_cli(["demo", "--clear"], env)
    assert "businesses 600" in cleared.stdout
    assert "demo_admin" not in call_cli(["users", "list"], env).stdout


def test_cli_reports_bad_configuration_in_chinese(tmp_path):
    env = {**os.environ, "PORTAL_VAR_DIR": str(tmp_path), "PORTAL_JURISDICTION": "atlantis"}
    result = run_cli(["init"], env)
    assert result.returncode == 2 and "配置错误" in result.stderr
