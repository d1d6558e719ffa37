"""Run every benchmark, three rounds each, and print one table judged on the median round.

    .venv/bin/python -m bench.run_all [--rounds 3] [--only mail_intake memory ...]
    (ASPA_BENCH_QUICK=1: the benchmarks that know it run at smaller sizes)

Each benchmark runs as a process of its own, as it does alone, and hands its
judged figures back through bench/results.py. For every figure the round
whose ratio is the median of the rounds is the one shown and judged; the
ratios of all rounds are printed beside it, so the spread can be seen.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.results import RESULTS_ENV, Row, quick, read

# (module, its arguments): each as run alone, at the sizes its goal names.
BENCHES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mail_intake", ()),
    ("mail_intake", ("--bad", "--count", "1000" if quick() else "50000")),
    ("memory", ("--backlog", "1000" if quick() else "10000")),
    ("memory", ("--open", "50000", "--goal-mb", "80", "--goal-ready", "2")),
    ("notice_burst", ("--breached", "200") if quick() else ()),
    ("web", ("--rounds", "1")),
    ("routing", ("--calls", "100" if quick() else "500")),
    ("ring_intake", ()),
    ("core_queue", ("--rounds", "2000" if quick() else "20000")),
    ("gsm_latency", ("--calls", "100" if quick() else "1000")),
    ("presence_latency", ("--presses", "100" if quick() else "1000")),
    ("mqtt_outbox", ("--rounds", "1") if quick() else ()),
    ("voip_latency", ("--calls", "50" if quick() else "200")),
    ("store_100k", ("--tickets", "20000") if quick() else ()),
    ("media", ("--minutes", "2", "--real-seconds", "5") if quick() else ()),
)


def run_once(module: str, args: tuple[str, ...], log: Path) -> list[Row]:
    """One round of one benchmark; its rows (none when it failed: see the log)."""
    with tempfile.TemporaryDirectory(prefix="aspa-run-all-") as tmp:
        results = Path(tmp) / "rows.json"
        env = {**os.environ, RESULTS_ENV: str(results)}
        with log.open("a") as out:
            out.write(f"\n===== {module} {' '.join(args)}\n")
            out.flush()
            done = subprocess.run([sys.executable, "-m", f"bench.{module}", *args], env=env,
                                  stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode != 0 or not results.exists():
            return []
        return read(results)


def median_round(rounds: list[Row]) -> Row:
    """The round whose ratio is the median (the lower middle one of an even count)."""
    ordered = sorted(rounds, key=lambda row: row.ratio)
    return ordered[(len(ordered) - 1) // 2]


def table(judged: dict[str, list[Row]]) -> str:
    """The markdown table: goal | anchor (same run) | figure | ratio | met."""
    lines = ["| figure | goal | anchor (same run) | figure (median round) | ratio | "
             "ratios of the rounds | met |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, rounds in judged.items():
        row = median_round(rounds)
        spread = ", ".join(f"{r.ratio:.2f}" for r in rounds)
        lines.append(f"| {name} | {row.goal} | {row.anchor or '-'} | {row.figure} | "
                     f"{row.ratio:.2f} | {spread} | {'yes' if row.met else '**no**'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None, help="module names to run")
    parser.add_argument("--log", type=Path, default=Path(tempfile.gettempdir()) /
                        "aspa-bench-run-all.log", help="every benchmark's own output")
    args = parser.parse_args()
    args.log.write_text("")
    judged: dict[str, list[Row]] = {}
    failed: list[str] = []
    started = time.perf_counter()
    for module, bench_args in BENCHES:
        if args.only and module not in args.only:
            continue
        for round_number in range(1, args.rounds + 1):
            began = time.perf_counter()
            rows = run_once(module, bench_args, args.log)
            print(f"{module} {' '.join(bench_args)} round {round_number}: "
                  f"{len(rows)} figures in {time.perf_counter() - began:.0f} s", flush=True)
            if not rows:
                failed.append(f"{module} {' '.join(bench_args)} round {round_number}")
            for row in rows:
                judged.setdefault(row.name, []).append(row)
    print()
    print(table(judged))
    print()
    met = sum(median_round(rounds).met for rounds in judged.values())
    print(f"{met} of {len(judged)} goals met on the median round; {args.rounds} rounds; "
          f"{time.perf_counter() - started:.0f} s in all; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; output of each: {args.log}")
    if failed:
        print("failed (see the log): " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
