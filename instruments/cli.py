"""`python -m instruments check FILE` and `python -m instruments show ID` for authors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .errors import InstrumentError
from .loader import load_instrument_file
from .model import Direction, Instrument, Referent, Scale, Text
from .registry import check_codes, list_instruments, load_instrument

EXIT_OK, EXIT_BAD = 0, 2

_WORDS = {
    "scale": Text("Skala", "Scale"),
    "dimension": Text("Dimensi", "Dimension"),
    "options": Text("pilihan jawaban", "response options"),
    "actions": Text("Tindakan pengembangan", "Development actions"),
    "source": Text("Sumber", "Source"),
    "licence": Text("Lisensi", "Licence"),
    "respondent": Text("Pertanyaan tentang responden (boleh tidak dijawab)",
                       "Questions about the respondent (optional)"),
    "reverse": Text("(R) = butir dibalik: skor = A + 1 - jawaban",
                    "(R) = reverse-keyed item: score = A + 1 - answer"),
    Referent.INDIVIDUAL: Text("rujukan: individu (saya)", "referent: individual (I)"),
    Referent.COLLECTIVE: Text("rujukan: kolektif (kami / unit kami)",
                              "referent: collective (we / our unit)"),
    Direction.HIGHER_BETTER: Text("skor lebih tinggi = lebih baik", "higher score = better"),
    Direction.HIGHER_WORSE: Text("skor lebih tinggi = lebih buruk", "higher score = worse"),
}


def _summary(instrument: Instrument, lang: str) -> str:
    counts = (len(instrument.scales), len(instrument.dimensions), len(instrument.items))
    if lang == "en":
        return "{} scale(s), {} dimension(s), {} item(s)".format(*counts)
    return "{} skala, {} dimensi, {} butir".format(*counts)


def check_file(path: Path, search_path: Sequence[Path]) -> Instrument:
    """Validate one file alone and against every other instrument it would be loaded with."""
    instrument = load_instrument_file(path)
    others = [i for i in list_instruments(search_path)
              if Path(i.source).resolve() != path.resolve()]
    for other in others:
        if other.key == instrument.key:
            raise InstrumentError(str(path), None, Text(
                f"'{instrument.key}' sudah ada di {other.source}; satu versi hanya boleh satu "
                "berkas",
                f"'{instrument.key}' is already defined by {other.source}; a version has one "
                "file"))
    check_codes([*others, instrument])
    return instrument


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    status = EXIT_OK
    for path in args.files:
        try:
            instrument = check_file(path, args.dirs)
        except InstrumentError as error:
            print(error.message(args.lang), file=err)
            status = EXIT_BAD
            continue
        print(f"OK {path}: {instrument.key} ({instrument.kind}), "
              f"{_summary(instrument, args.lang)}", file=out)
    return status


def _scale_lines(scale: Scale, lang: str) -> list[str]:
    def w(key: str) -> str:
        return _WORDS[key].get(lang)

    options = " | ".join(f"{o.value} {o.label.get(lang)}" for o in scale.options)
    lines = [f"{w('scale')} {scale.code}: {scale.name.get(lang)}",
             f"  {scale.points} {w('options')}: {options}",
             f"  {w(scale.referent)}; {w(scale.direction)}"]
    if any(item.reverse for item in scale.items):
        lines.append(f"  {w('reverse')}")
    for dim in scale.dimensions:
        lines += ["", f"  {w('dimension')} {dim.code}: {dim.name.get(lang)}",
                  f"    {dim.description.get(lang)}"]
        for item in dim.items:
            mark = " (R)" if item.reverse else ""
            lines.append(f"    {item.code}{mark}  {item.text.get(lang)}")
            if item.options:
                own = " | ".join(f"{o.value} {o.label.get(lang)}" for o in item.options)
                lines.append(f"        {own}")
        lines.append(f"    {w('actions')}:")
        lines += [f"      - [{a.kind}] {a.text.get(lang)}" for a in dim.actions]
    return lines


def render(instrument: Instrument, lang: str) -> str:
    """The whole instrument as plain text in `lang`, for an author to proofread."""
    lines = [f"{instrument.title.get(lang)}  ({instrument.key}, {instrument.kind})",
             instrument.intro.get(lang), "",
             f"{_WORDS['source'].get(lang)}: {instrument.citation}",
             f"{_WORDS['licence'].get(lang)}: {instrument.licence.get(lang)}"]
    for scale in instrument.scales:
        lines += ["", *_scale_lines(scale, lang)]
    if instrument.respondent_questions:
        lines += ["", _WORDS["respondent"].get(lang)]
        for question in instrument.respondent_questions:
            choices = " | ".join(f"{c.value} {c.label.get(lang)}" for c in question.choices)
            lines.append(f"  {question.code}  {question.text.get(lang)}: {choices}")
    return "\n".join(lines) + "\n"


def _show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        instrument = load_instrument(args.id, args.version, search_path=args.dirs)
    except InstrumentError as error:
        print(error.message(args.lang), file=err)
        return EXIT_BAD
    out.write(render(instrument, args.lang))
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m instruments",
        description="Periksa dan tampilkan instrumen Lentera / check and print Lentera "
                    "instruments.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("id", "en"), default="id",
                        help="bahasa keluaran / output language (default: id)")
    common.add_argument("--dir", dest="dirs", action="append", type=Path, default=[],
                        metavar="DIR",
                        help="folder instrumen tambahan / extra instrument folder (repeatable)")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", parents=[common],
                                help="validate instrument files / periksa berkas instrumen")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.set_defaults(run=_check)
    show = commands.add_parser("show", parents=[common],
                               help="print an instrument / tampilkan instrumen")
    show.add_argument("id", metavar="ID")
    show.add_argument("--version", default=None, help="e.g. 1.0 (default: newest)")
    show.set_defaults(run=_show)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (0 fine, 2 bad input)."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args, out or sys.stdout, err or sys.stderr)
        return status
    except InstrumentError as error:
        # A bad extra folder or a broken neighbouring file: still a clear message, exit 2.
        print(error.message(args.lang), file=err or sys.stderr)
        return EXIT_BAD
