"""``omsmethod questionnaire`` and ``omsmethod model``: the method and its instruments."""

from __future__ import annotations

import shutil
import sys


def register(subparsers) -> None:
    q = subparsers.add_parser("questionnaire", help="list, export (XLSForm) and check questionnaires",
                              description="Work with the OMS questionnaires.")
    qs = q.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = qs.add_parser("list", help="the bundled questionnaires")
    p.set_defaults(func=_list)
    p = qs.add_parser("show", help="the items of a questionnaire")
    p.add_argument("name", help="bundled name (customer, staff, partner) or a .yaml path")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.set_defaults(func=_show)
    p = qs.add_parser("export", help="write a questionnaire as an XLSForm workbook (ODK / KoboToolbox)")
    p.add_argument("name", help="bundled name or .yaml path")
    p.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    p.set_defaults(func=_export)
    p = qs.add_parser("validate", help="check a response file against a questionnaire")
    p.add_argument("responses", help="response file (.csv, .xlsx, .sav, .parquet)")
    p.add_argument("--instrument", "-i", required=True, help="questionnaire name or path")
    p.add_argument("--encoding", help="text encoding of a CSV file (detected if omitted)")
    p.add_argument("-o", "--output", help="write the problems table to this CSV")
    p.set_defaults(func=_validate)

    m = subparsers.add_parser("model", help="show or copy the OMS model file",
                              description="The OMS model: layers, subsystems, relations, phases.")
    ms = m.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = ms.add_parser("show", help="subsystems and relations")
    p.add_argument("--path", help="an edited model file (default: the bundled one)")
    p.set_defaults(func=_model_show)
    p = ms.add_parser("copy", help="copy the bundled model file to edit it")
    p.add_argument("path", help="where to write the copy")
    p.set_defaults(func=_model_copy)


def _list(args) -> int:
    from .. import instrument

    for name in instrument.available():
        inst = instrument.load(name)
        print(f"{name:10} {inst.title['en']} / {inst.title['zh']}  ({len(inst.items)} items, "
              f"subsystems: {', '.join(inst.subsystems)})")
    return 0


def _show(args) -> int:
    from .. import instrument

    inst = instrument.load(args.name)
    columns = ["item", "kind", "subsystem", "scale", "reverse", f"text_{args.lang}"]
    print(inst.items[columns].to_string(index=False))
    return 0


def _export(args) -> int:
    from .. import instrument

    path = instrument.load(args.name).to_xlsform(args.output)
    print(f"wrote {path}")
    return 0


def _validate(args) -> int:
    from .. import instrument

    clean, problems = instrument.read_responses(args.responses, args.instrument, errors="report",
                                                encoding=args.encoding)
    if args.output:
        from ..files import atomic_path

        with atomic_path(args.output) as tmp:
            problems.to_csv(tmp, index=False, encoding="utf-8")
    if problems.empty:
        print(f"{args.responses}: {len(clean)} responses, no problems")
        return 0
    print(problems.to_string(index=False, max_rows=50), file=sys.stdout)
    print(f"\n{len(problems)} problem(s); {len(clean)} clean responses", file=sys.stderr)
    return 1


def _model_show(args) -> int:
    from .. import model

    m = model.load(args.path)
    print(m.subsystems[["id", "name_zh", "name_en", "layer", "owner_en"]].to_string(index=False))
    print()
    print(m.relations[["from", "to", "kind", "source"]].to_string(index=False))
    return 0


def _model_copy(args) -> int:
    from ..files import atomic_path
    from ..model import default_path

    with atomic_path(args.path) as tmp:
        shutil.copyfile(default_path(), tmp)
    print(f"wrote {args.path}; edit it and pass it to omsmethod.model.load()")
    return 0
