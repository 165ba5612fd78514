"""Issue 12's figures: what refusing each hostile file costs, in CPU seconds and memory.

Each file is built in a temporary folder (tests/support/hostile_files.py) and read in a fresh
process by the code of a checkout (this one by default), under limits of 3 GB of address space
and 60 s of CPU, so running it against an old checkout shows the old cost without taking the
machine down. The figures are the child's CPU time while reading the file (with tracemalloc
on, as in the tests), the peak of memory allocated meanwhile (tracemalloc) and the growth of
its resident peak (ru_maxrss), and what it said.

    .venv/bin/python -m bench.hostile_files                 # this checkout
    .venv/bin/python -m bench.hostile_files /path/to/old    # e.g. `git worktree add` of a0c4f4b
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_BYTES = 3 << 30
LIMIT_CPU_S = 60

_CHILD = f"""
import resource, sys, time, tracemalloc
from pathlib import Path
code, kind, path = sys.argv[1:4]
sys.path.insert(0, code)
resource.setrlimit(resource.RLIMIT_AS, ({LIMIT_BYTES}, {LIMIT_BYTES}))
resource.setrlimit(resource.RLIMIT_CPU, ({LIMIT_CPU_S}, {LIMIT_CPU_S}))
p = Path(path)
if kind == "cqc":
    from qa_app.services.table_files import read_rows
elif kind == "evidence":
    try:
        from qa_app.domain.evidence_files import check_evidence
    except ImportError:
        from qa_app.services.plans import check_evidence
else:
    from qa_app.domain.standards import check_text
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
start = time.process_time()
try:
    if kind == "cqc":
        said = f"read {{sum(1 for _ in read_rows(p, p.name, 'Locations'))}} rows"
    elif kind == "evidence":
        check_evidence(p.name, p.read_bytes())
        said = "accepted"
    else:
        said = "; ".join(str(x) for x in check_text(p.read_text(), p.name).problems) or "valid"
except BaseException as error:
    said = f"{{type(error).__name__}}: {{error}}"
cpu = time.process_time() - start
peak = tracemalloc.get_traced_memory()[1] / 1e6
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(f"{{cpu:6.2f}} s CPU, peak {{peak:6.1f}} MB (RSS +{{grown:4.0f}} MB): {{said[:100]}}")
"""


def files(folder: Path) -> list[tuple[str, Path]]:
    from tests.support import hostile_files as hostile
    from tests.support.spreadsheets import CQC_COLUMNS
    from tests.unit.test_hostile_set_files import HOSTILE

    built: list[tuple[str, Path]] = []
    for name, data in (
        ("bomb.odt", hostile.odt_bomb()),
        ("bomb.docx", hostile.docx_bomb(300 * hostile.MiB)),
    ):
        (folder / name).write_bytes(data)
        built.append(("evidence", folder / name))
    for name, build in (
        ("bomb.ods", hostile.ods_bomb),
        ("endless row.ods", hostile.ods_unended_row),
        ("shared strings bomb.xlsx", hostile.xlsx_shared_strings_bomb),
        ("many texts.xlsx", hostile.xlsx_many_shared_strings),
        ("endless row.xlsx", hostile.xlsx_unended_row),
    ):
        built.append(("cqc", build(folder / name)))
    built.append(
        ("cqc", hostile.csv_giant_field(folder / "giant field.csv", ",".join(CQC_COLUMNS)))
    )
    built += [("cqc", path) for path in hostile.regex_traps(folder).values()]
    for name, (text, _line, _message) in HOSTILE.items():
        path = folder / f"{name.replace(' ', '_').replace(',', '')}.yaml"
        path.write_text(text)
        built.append(("yaml", path))
    return built


def main(code: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for kind, path in files(Path(folder)):
            done = subprocess.run(
                [sys.executable, "-c", _CHILD, str(code), kind, str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            said = done.stdout.strip() or (
                f"stopped by the limits ({LIMIT_CPU_S} s of CPU or 3 GB), exit {done.returncode}"
            )
            print(f"{path.name:30} {said}", flush=True)


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT)
