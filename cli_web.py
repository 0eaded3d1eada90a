"""``zansai serve`` and ``zansai users``: the web desk's doors (thin, like cli_audit: the server is web.app)."""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

import click

from cli_common import Errors


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; only this machine by default / 待ち受けるアドレス（既定はこの端末のみ）")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port / ポート")
@click.option("--db", default=None, metavar="FILE|URL",
              help="Audit store: a SQLite file or a postgresql:// URL (default: $ZANSAI_DB, else the user's data directory) / 監査記録の保存先")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Rule base folder (default: the installed rules/) / ルールのフォルダ")
@click.option("--secure-cookies", is_flag=True,
              help="Mark cookies Secure even on plain http (behind a proxy that ends TLS) / Cookie を常に Secure にする")
@click.option("--proxy", "forwarded", default=None, metavar="ADDRESSES",
              help="Trust X-Forwarded-For/-Proto from these proxy addresses (comma-separated) / 信頼するプロキシ")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Server processes on this port, each with its own engine (assessments run in parallel); "
                   "1 by default / サーバープロセスの数")
def serve(host: str, port: int, db: str | None, rules_dir: Path | None, secure_cookies: bool, forwarded: str | None,
          workers: int) -> None:
    """Start the web desk / ブラウザで使う判定デスクを起動.

    One process assesses one case at a time (the rule engine holds global state); --workers N
    starts N processes sharing the port and the store, as several servers behind a proxy do.
    """
    import uvicorn

    from web.app import SERVE_ENV, create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with Errors("ja"):
        # built here once even with workers: a bad store or rule base is reported before any process starts
        app = create_app(db, rules_dir, secure_cookies=secure_cookies)
    display = app.state.store.display
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"注意: {host} で待ち受けます（この端末以外からも接続できます） / listening on {host}: reachable from other machines", err=True)
    click.echo(f"zansai serve: http://{host}:{port}/  (store: {display}"
               + (f"; {workers} processes" if workers > 1 else "") + ")", err=True)
    options = dict(host=host, port=port, access_log=False, log_level="info", server_header=False,
                   proxy_headers=bool(forwarded), forwarded_allow_ips=forwarded or "127.0.0.1")
    if workers == 1:
        uvicorn.run(app, **options)
        return
    app.state.store.close()
    # each worker process builds its own app from these (uvicorn starts workers from an import string)
    import os

    os.environ[SERVE_ENV["db"]] = db or ""
    os.environ[SERVE_ENV["rules"]] = str(rules_dir or "")
    os.environ[SERVE_ENV["secure"]] = "1" if secure_cookies else ""
    uvicorn.run("web.app:app_from_env", factory=True, workers=workers, **options)


@click.group("users")
def users() -> None:
    """Advisors' accounts for the web desk / Web デスクのアカウント."""


def _lang() -> str:
    obj = click.get_current_context().find_root().obj
    return (obj or {}).get("lang", "ja")


def _password(password_stdin: bool) -> str:
    from facts.errors import InputError, Problem

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("パスワード / password: ")
        if getpass.getpass("もう一度 / again: ") != password:
            raise InputError([Problem("password", "パスワードが一致しません", "the passwords do not match")])
    if len(password) < 10:
        raise InputError([Problem("password", "パスワードは10文字以上にしてください", "use a password of at least 10 characters")])
    return password


_PASSWORD_STDIN = click.option("--password-stdin", is_flag=True,
                               help="Read the password from standard input (for scripts) / 標準入力から読む")
_DB = click.option("--db", default=None, metavar="FILE|URL", help="Audit store / 監査記録の保存先")


@users.command("add")
@click.argument("name")
@click.option("--supervisor", is_flag=True, help="May read every advisor's records / 全員の記録を見られる")
@_PASSWORD_STDIN
@_DB
def users_add(name: str, supervisor: bool, password_stdin: bool, db: str | None) -> None:
    """Create an account; the password is asked for (never an argument) / アカウントを作成."""
    from audit import Store
    from audit import accounts as A
    from web.security import hash_password

    with Errors(_lang()):
        A.check_name(name)
        password = _password(password_stdin)
        with Store.open(db) as store:
            A.add_account(store, name, hash_password(password), supervisor)
            where = store.display
    click.echo(f"アカウント {name} を作成しました{'（管理者）' if supervisor else ''} / account {name} created ({where})", err=True)


@users.command("passwd")
@click.argument("name")
@_PASSWORD_STDIN
@_DB
def users_passwd(name: str, password_stdin: bool, db: str | None) -> None:
    """Set a new password; the account's open sessions end / パスワードを変更（ログイン中のセッションは終了）."""
    from audit import Store
    from audit import accounts as A
    from facts.errors import Problem
    from web.security import hash_password

    with Errors(_lang()):
        with Store.open(db) as store:
            if A.get_account(store, name) is None:
                raise A.AccountError([Problem("NAME", f"アカウント {name} はありません", f"no account {name}")])
            A.set_password_hash(store, name, hash_password(_password(password_stdin)))
    click.echo(f"アカウント {name} のパスワードを変更しました / password of {name} changed", err=True)


@users.command("remove")
@click.argument("name")
@_DB
def users_remove(name: str, db: str | None) -> None:
    """Remove an account (an advisor who left); their records stay, their sessions end / アカウントを削除."""
    from audit import Store
    from audit import accounts as A

    with Errors(_lang()):
        with Store.open(db) as store:
            A.remove_account(store, name)
    click.echo(f"アカウント {name} を削除しました（記録は残ります） / account {name} removed (its records stay)", err=True)


@users.command("list")
@click.option("--db", default=None, metavar="FILE|URL", help="Audit store / 監査記録の保存先")
def users_list(db: str | None) -> None:
    """List accounts / アカウントの一覧."""
    from audit import Store
    from audit import accounts as A

    with Store.open(db) as store:
        for account in A.list_accounts(store):
            click.echo(f"{account.name}\t{'supervisor' if account.supervisor else 'advisor'}\t{account.created_at[:19]}")
