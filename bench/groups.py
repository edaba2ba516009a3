"""Group formation at scale: 10,000 learners by each method, beside a plain shuffle-and-cut.

    bench/run groups [--learners 10000 --rounds 5]

The baseline, in the same run, is ``random.shuffle`` and slicing into groups of the
maximum size: no bounds kept, no mixing. CPU time per formation, median of the rounds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from opes_lti.groups.formation import METHODS, Bounds, Member, form


def _roster(n: int) -> list[Member]:
    return [
        Member(f"u{i:06d}", f"ets-{i % 600:03d}", f"{i % 20 + 1:02d}", f"c{i % 5}")
        for i in range(n)
    ]


def _cpu_ms(job: object, rounds: int) -> float:
    runs = []
    for _ in range(rounds):
        started = time.process_time()
        job()  # type: ignore[operator]
        runs.append((time.process_time() - started) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    roster, bounds = _roster(args.learners), Bounds(4, 6)

    def baseline() -> list[list[str]]:
        ids = [m.id for m in roster]
        random.Random(1).shuffle(ids)
        return [ids[i : i + bounds.most] for i in range(0, len(ids), bounds.most)]

    base = _cpu_ms(baseline, args.rounds)
    print(f"{args.learners} learners into groups of {bounds.least} to {bounds.most}")
    print(f"{'method':<20} {'CPU ms':>8} {'x baseline':>11} {'groups':>7} {'unmet':>6}")
    print(f"{'shuffle and cut':<20} {base:>8.1f} {1:>11.1f}")
    for method in METHODS:
        formed = form(roster, bounds, method, seed=1)
        ms = _cpu_ms(lambda m=method: form(roster, bounds, m, seed=1), args.rounds)
        counts = f"{len(formed.groups):>7} {len(formed.unmet):>6}"
        print(f"{method:<20} {ms:>8.1f} {ms / base:>11.1f} {counts}")


if __name__ == "__main__":
    main()
