"""``partner-consumer run --agency police ...`` keeps the agency's statuses up to date;
``partner-consumer show NHS_NUMBER`` prints the status held for a child. Every option has an
environment variable (``PARTNER_CONSUMER_<OPTION>``), the password only there or in a file."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

from partner_consumer.consumer import Connection, run, topic_for
from partner_consumer.store import StatusStore
from partner_consumer.validation import Validator, load_schema


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PARTNER_CONSUMER_{name}", default)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="partner-consumer", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    db_file = Path(_env("DB", "partner-status.sqlite3") or "")

    r = sub.add_parser("run", help="consume the agency's topic until Ctrl-C")
    agency = _env("AGENCY")
    r.add_argument("--agency", default=agency, required=agency is None, help="the agency id, e.g. police (env AGENCY)")
    r.add_argument("--bootstrap-servers", default=_env("BOOTSTRAP_SERVERS", "127.0.0.1:19092"), help="(env BOOTSTRAP_SERVERS)")
    r.add_argument("--group", default=_env("GROUP"), help="consumer group; default <agency>.flagging (env GROUP)")
    r.add_argument("--db", type=Path, default=db_file, help="the SQLite file (env DB)")
    r.add_argument("--rejects", type=Path, default=Path(_env("REJECTS", "partner-rejects.jsonl") or ""), help="(env REJECTS)")
    r.add_argument("--schema", type=Path, default=_env("SCHEMA"), help="the published JSON Schema; default the bundled copy")
    r.add_argument(
        "--security-protocol",
        default=_env("SECURITY_PROTOCOL", "PLAINTEXT"),
        choices=["PLAINTEXT", "SSL", "SASL_SSL", "SASL_PLAINTEXT"],
        help="Strimzi: SASL_SSL (scram-sha-512 listener) or SSL (tls client authentication)",
    )
    r.add_argument("--sasl-mechanism", default=_env("SASL_MECHANISM", "SCRAM-SHA-512"))
    r.add_argument("--sasl-username", default=_env("SASL_USERNAME"), help="the KafkaUser's name (env SASL_USERNAME)")
    r.add_argument("--ssl-cafile", default=_env("SSL_CAFILE"), help="the cluster CA certificate (ca.crt)")
    r.add_argument("--ssl-certfile", default=_env("SSL_CERTFILE"), help="the KafkaUser's user.crt (tls authentication)")
    r.add_argument("--ssl-keyfile", default=_env("SSL_KEYFILE"), help="the KafkaUser's user.key")

    s = sub.add_parser("show", help="print the status held for a child")
    s.add_argument("nhs_number")
    s.add_argument("--db", type=Path, default=db_file, help="the SQLite file (env DB)")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "show":
        store = StatusStore(args.db)
        try:
            held = store.current(args.nhs_number)
        finally:
            store.close()
        if held is None:
            print(f"no status held for {args.nhs_number}", file=sys.stderr)
            return 1
        print(json.dumps(held, indent=2))
        return 0

    password_file = _env("SASL_PASSWORD_FILE")
    connection = Connection(
        bootstrap_servers=args.bootstrap_servers,
        security_protocol=args.security_protocol,
        sasl_mechanism=args.sasl_mechanism,
        sasl_username=args.sasl_username,
        sasl_password=Path(password_file).read_text().strip() if password_file else _env("SASL_PASSWORD"),
        ssl_cafile=args.ssl_cafile,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
    )
    topic, group = topic_for(args.agency), args.group or f"{args.agency}.flagging"
    store, validator = StatusStore(args.db), Validator(load_schema(args.schema))

    async def consume() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        logging.getLogger("partner_consumer").info("reading %s as %s into %s", topic, group, args.db)
        done = await run(connection, topic, group, store, validator, args.rejects, stop)
        logging.getLogger("partner_consumer").info("stopped: %s", dict(done))

    try:
        asyncio.run(consume())
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
