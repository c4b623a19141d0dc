"""Print the blind-set table (README) from `stemkg eval --json` outputs: before and now.

python benchmarks/eval_table.py eval/baseline-2026-12-01.json now.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    before, now = (json.loads(Path(p).read_text(encoding="utf-8")) for p in sys.argv[1:3])
    print("| field | before: P / R / F1 | now: P / R / F1 |")
    print("|---|---|---|")
    for name in [*now["fields"], "micro"]:
        b = before["micro"] if name == "micro" else before["fields"][name]
        n = now["micro"] if name == "micro" else now["fields"][name]
        shown = f"**{name}**" if name == "micro" else name.replace("_", " ")
        cells = [f"{x['precision']:.2f} / {x['recall']:.2f} / {x['f1']:.2f}" for x in (b, n)]
        print(f"| {shown} | {cells[0]} | {cells[1]} |")
    for label, data in (("before", before), ("now", now)):
        s = data["studies"]
        print(
            f"\n{label}: {s['extracted']} studies extracted of {s['gold']}, {s['paired']} paired, "
            f"{s['missed']} missed, {len(s['invented'])} invented, {len(data['flipped'])} flipped",
            end="",
        )
    print()


if __name__ == "__main__":
    main()
