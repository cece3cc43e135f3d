"""``academichub users …``: accounts and API keys, on the store in ACADEMICHUB_DATA_DIR.

A key is printed once, when it is made, and never again: only its digest is stored.
Keys are named by their public prefix (``ahk_1a2b3c4d``) to list and revoke them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import TextIO

from academichub.platform.errors import ConfigError
from academichub.platform.settings import CommonSettings, load_settings
from academichub.store.accounts import (
    AccountStore,
    DuplicateEmail,
    User,
    mint_api_key,
    new_user_id,
)
from academichub.store.port import Store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help="accounts and API keys (prints a new key once)")
    actions = users.add_subparsers(dest="users", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a user and print their first API key")
    create.add_argument("--name", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--admin", action="store_true", help="may see every radar")
    create.add_argument("--label", default="", help="what the key is for, e.g. laptop")
    actions.add_parser("list", help="list users")
    keys = actions.add_parser("keys", help="list API keys (never the keys themselves)")
    keys.add_argument("--prefix", default="", help="only keys whose prefix starts so")
    keys.add_argument("--email", help="only this user's keys")
    add_key = actions.add_parser("add-key", help="print a new API key for a user")
    add_key.add_argument("--email", required=True)
    add_key.add_argument("--label", default="")
    revoke = actions.add_parser("revoke", help="revoke a key (and its web sessions)")
    revoke.add_argument("prefix", help="the key's prefix, e.g. ahk_1a2b3c4d")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _open_store() -> Store:
    # Imported here: `academichub parse` and friends need no SQLite or Elasticsearch.
    # The configured adapter (ACADEMICHUB_STORE): users made here are the gateway's users.
    from academichub.store.factory import open_store

    return open_store(load_settings(CommonSettings), index_writer=False)


def run_users(
    args: argparse.Namespace,
    *,
    open_store: Callable[[], Store] = _open_store,
    out: TextIO = sys.stdout,
    now: Callable[[], dt.datetime] = _now,
) -> int:
    store = open_store()
    try:
        return _run(args, store.accounts, out, now())
    finally:
        store.close()


def _run(args: argparse.Namespace, accounts: AccountStore, out: TextIO, now: dt.datetime) -> int:
    if args.users == "create":
        if "@" not in args.email or not args.name.strip():
            raise ConfigError("give a --name and an --email like ada@example.org")
        user = User(new_user_id(), args.name.strip(), args.email, bool(args.admin), now)
        try:
            accounts.add_user(user)
        except DuplicateEmail as exc:
            raise ConfigError(f"{exc}; use 'academichub users add-key --email …'") from exc
        role = "admin" if user.is_admin else "user"
        print(f"created {role} {user.id}: {user.name} <{user.email.lower()}>", file=out)
        return _print_new_key(accounts, user, args.label, now, out)
    if args.users == "add-key":
        found = accounts.user_by_email(args.email)
        if found is None:
            raise ConfigError(f"no user with email {args.email}; 'academichub users list'")
        return _print_new_key(accounts, found, args.label, now, out)
    if args.users == "list":
        for user in accounts.list_users():
            role = "admin" if user.is_admin else "user"
            print(f"{user.id}\t{role}\t{user.email}\t{user.name}", file=out)
        return 0
    if args.users == "keys":
        owner = accounts.user_by_email(args.email) if args.email else None
        if args.email and owner is None:
            raise ConfigError(f"no user with email {args.email}")
        emails = {u.id: u.email for u in accounts.list_users()}
        for key in accounts.list_api_keys(args.prefix, owner.id if owner else None):
            state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d}"
            print(
                f"{key.prefix}\t{state}\t{emails.get(key.user_id, key.user_id)}"
                f"\t{key.created_at:%Y-%m-%d}\t{key.label}",
                file=out,
            )
        return 0
    if args.users == "revoke":
        if not accounts.revoke_api_key(args.prefix, now):
            raise ConfigError(
                f"no active key with prefix {args.prefix}; 'academichub users keys' lists them"
            )
        print(f"revoked {args.prefix}", file=out)
        return 0
    raise AssertionError(f"unhandled users action {args.users}")


def _print_new_key(
    accounts: AccountStore, user: User, label: str, now: dt.datetime, out: TextIO
) -> int:
    token, key = mint_api_key(user.id, now, label)
    accounts.add_api_key(key)
    print(f"API key {key.prefix} (shown once; store it now):", file=out)
    print(token, file=out)
    return 0
