"""The ``omsmethod`` command line: a thin layer over the library.

Each topic module in this package has ``register(subparsers)``, which adds its
subcommand(s) with ``set_defaults(func=...)``; ``func(args)`` calls one library function
and prints or writes its result. An :class:`~omsmethod.errors.OMSError` is printed as a
plain message (exit code 2), never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import OMSError

# Topic modules, in the order their subcommands appear in --help.
_TOPICS = ("questionnaire", "report", "sampling", "staffing", "workspace")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="omsmethod",
        description="OMS method: questionnaires, sampling, analysis and client reports.",
    )
    parser.add_argument("--version", action="version", version=f"omsmethod {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for topic in _TOPICS:
        importlib.import_module(f".{topic}", __name__).register(subparsers)
    return parser


def _route(argv: list[str]) -> list[str]:
    """Turn two-word commands (``report batch``) into their registered names."""
    for topic in _TOPICS:
        aliases = getattr(importlib.import_module(f".{topic}", __name__), "ALIASES", {})
        for words, name in aliases.items():
            if tuple(argv[: len(words)]) == words:
                return [name, *argv[len(words):]]
    return argv


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_route(list(sys.argv[1:] if argv is None else argv)))
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        code = args.func(args)
    except OMSError as exc:
        print(f"omsmethod {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
