"""Exit stress: many short runs that quit at random moments; counts aborts and bad exits.

Issue 15: `pitchlive --screenshot OUT.png --quit-after S` aborted about 1 run in 25 (SIGABRT,
"terminate called after throwing an instance of ''") when the window quit while a thread was
inside TensorFlow. This runs, one after the other:

- N windows: `pitchlive --input DEMO --screenshot OUT.png --quit-after S`, S uniform in
  [0, --max-quit-s] (so some quit before TensorFlow is imported, some while the model loads,
  some while the recording is analysed or tracked);
- N listens: `pitchlive listen --seconds 1 --input DEMO`, interrupted with SIGINT (Ctrl-C, which
  `listen` documents as a clean stop, exit 0) after a delay uniform in [0, --max-interrupt-s];
  runs that end first are not interrupted.

and prints, per kind: runs, aborts (SIGABRT or TensorFlow's terminate message), crashes by
other signals (SIGSEGV...), hangs (over --timeout-s), non-zero exits, listens that the SIGINT
itself ended while Python started (not failures), and the wall time. Exit status 1 if anything but a
clean exit was seen. Children run with PYTHONFAULTHANDLER=1, so a crash prints the Python stack
of every thread; --keep DIR keeps the stderr (and, with --core-dumps, the core file) of every
run that did not exit cleanly, for gdb.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/exit_stress.py
    ... bench/exit_stress.py --runs 40 --seed 7          # shorter
    ... bench/exit_stress.py --kinds screenshot --backend tensorflow --max-quit-s 6
    ... --max-minutes 40 --keep /tmp/stress --core-dumps   # time-boxed; crashed runs kept
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "demo-ode-to-joy.flac"
SHARED_MODEL = ROOT.parent / "shared" / "models" / "spice_1_savedmodel"
BACKEND: list[str] = []     # --backend: the live backend the children use (PITCHLIVE_BACKEND)
ABORT_TEXTS = ("terminate called", "FATAL: exception not rethrown")


@dataclass
class Tally:
    """Outcomes of one kind of run."""

    kind: str
    runs: int = 0
    clean: int = 0
    aborts: int = 0
    signals: int = 0
    hangs: int = 0
    nonzero: int = 0
    killed_by_sigint: int = 0
    wall_s: list[float] = field(default_factory=list)
    problems: Counter = field(default_factory=Counter)

    def add(self, code: int | None, stderr: str, wall_s: float, delay_s: float,
            sent_sigint: bool = False) -> None:
        """Count one run: code None means it was killed after the timeout.

        sent_sigint: this script interrupted the run. A process that this SIGINT itself ends
        (the default action, with no traceback: it came while Python started, before pitchlive
        could handle it) did not crash; it is counted apart, and not as a failure.
        """
        self.runs += 1
        self.wall_s.append(wall_s)
        last = next((line for line in reversed(stderr.strip().splitlines()) if line.strip()), "")
        if code is None:
            self.hangs += 1
            self.problems[f"hang (quit at {delay_s:.2f} s)"] += 1
        elif code in (-signal.SIGABRT, 128 + signal.SIGABRT) or \
                any(text in stderr for text in ABORT_TEXTS):
            self.aborts += 1
            self.problems[f"abort (quit at {delay_s:.2f} s): {last[:120]}"] += 1
        elif code == -signal.SIGINT and sent_sigint and "Traceback" not in stderr:
            self.killed_by_sigint += 1
            self.problems[f"ended by the SIGINT itself (sent at {delay_s:.2f} s)"] += 1
        elif code < 0:
            self.signals += 1
            self.problems[f"{signal.Signals(-code).name} (quit at {delay_s:.2f} s)"] += 1
        elif code != 0:
            self.nonzero += 1
            self.problems[f"exit {code}: {last[:120]}"] += 1
        else:
            self.clean += 1

    def report(self) -> str:
        """One block of figures."""
        median = statistics.median(self.wall_s) if self.wall_s else float("nan")
        lines = [f"{self.kind:>10}: {self.runs} runs, {self.clean} clean, {self.aborts} aborts, "
                 f"{self.signals} crashes by other signals (SIGSEGV...), {self.hangs} hangs, "
                 f"{self.nonzero} non-zero exits, {self.killed_by_sigint} ended by the SIGINT "
                 f"at start-up; median wall {median:.1f} s"]
        lines += [f"{'':>12}{count} x {what}" for what, count in self.problems.most_common(8)]
        return "\n".join(lines)

    @property
    def bad(self) -> int:
        """Runs that did not exit cleanly (a run the SIGINT ended at start-up is not one)."""
        return self.runs - self.clean - self.killed_by_sigint


def environment(config_dir: str) -> dict[str, str]:
    """The child's environment: private settings, headless Qt unless a display is set."""
    env = {**os.environ, "XDG_CONFIG_HOME": config_dir, "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONFAULTHANDLER": "1",
           **({"PITCHLIVE_BACKEND": BACKEND[0]} if BACKEND else {}),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    if not env.get("PITCHLIVE_MODEL") and SHARED_MODEL.is_dir():
        env["PITCHLIVE_MODEL"] = str(SHARED_MODEL)
    return env


def _allow_core_dumps() -> None:   # in the child, before exec
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def run_once(command: list[str], interrupt_after_s: float | None, timeout_s: float,
             keep: Path | None = None, core_dumps: bool = False
             ) -> tuple[int | None, str, float]:
    """(exit code or None after a timeout, stderr, wall seconds); SIGINT after the delay.

    The child runs in a fresh folder (where the kernel writes a core file, core_pattern "core");
    if it does not exit cleanly and keep is given, that folder and its stderr are kept there.
    """
    with tempfile.TemporaryDirectory(prefix="pitchlive-stress-") as workdir:
        started = time.monotonic()
        proc = subprocess.Popen(command, env=environment(str(Path(workdir) / "config")),
                                cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, preexec_fn=_allow_core_dumps if core_dumps else None)
        try:
            if interrupt_after_s is not None:
                try:
                    proc.wait(interrupt_after_s)
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=timeout_s)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
            code = None
        wall_s = time.monotonic() - started
        if keep is not None and code != 0:
            (Path(workdir) / "stderr.txt").write_text(
                f"{' '.join(command)}\nexit: {code}\n\n{stderr}")
            shutil.copytree(workdir, keep / f"run-{int(time.time() * 1000)}-{proc.pid}",
                            ignore=shutil.ignore_patterns("config"))
        return code, stderr, wall_s


def run_one(kind: str, i: int, tally: Tally, rng: random.Random, base: list[str], shots: str,
            args: argparse.Namespace) -> None:
    """Run the i-th run of a kind and count it."""
    if kind == "screenshot":
        delay = rng.uniform(0.0, args.max_quit_s)
        command = base + ["--input", str(DEMO), "--screenshot", str(Path(shots) / f"shot-{i}.png"),
                          "--quit-after", f"{delay:.3f}"]
        code, stderr, wall = run_once(command, None, args.timeout_s, args.keep, args.core_dumps)
    else:
        delay = rng.uniform(0.0, args.max_interrupt_s)
        command = base + ["listen", "--seconds", "1", "--input", str(DEMO)]
        code, stderr, wall = run_once(command, delay, args.timeout_s, args.keep, args.core_dumps)
    tally.add(code, stderr, wall, delay, sent_sigint=kind != "screenshot")
    if tally.runs % 10 == 0:
        print(f"  {kind}: {tally.runs}/{args.runs} ({tally.bad} not clean)", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the stress and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs of each kind (200)")
    parser.add_argument("--kinds", default="screenshot,listen",
                        help="comma-separated: screenshot, listen (both)")
    parser.add_argument("--max-quit-s", type=float, default=10.0,
                        help="window runs quit after 0..this many seconds (10)")
    parser.add_argument("--max-interrupt-s", type=float, default=7.0,
                        help="listen runs get SIGINT after 0..this many seconds (7)")
    parser.add_argument("--timeout-s", type=float, default=120.0, help="a hang after this (120)")
    parser.add_argument("--seed", type=int, default=None, help="for the random delays")
    parser.add_argument("--backend", choices=("auto", "litert", "tensorflow"),
                        help="live backend of the children; tensorflow makes every window load "
                             "the model inside TensorFlow, where quitting used to abort")
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="start no run after this many minutes; report those that ran")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the stderr of every run that did not exit cleanly here")
    parser.add_argument("--core-dumps", action="store_true",
                        help="let children dump core (kept with --keep; see core_pattern)")
    args = parser.parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    if args.backend:
        BACKEND.append(args.backend)
    rng = random.Random(args.seed)
    base = [sys.executable, "-m", "pitchlive"]
    model = environment("").get("PITCHLIVE_MODEL", "TF Hub")
    print(f"exit stress: {args.runs} runs per kind, seed {args.seed}, model {model}, "
          f"backend {args.backend or 'auto'}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}", flush=True)
    tallies = []
    deadline = time.monotonic() + (args.max_minutes * 60 if args.max_minutes else float("inf"))
    try:
        with tempfile.TemporaryDirectory(prefix="pitchlive-shots-") as shots:
            for kind in [k.strip() for k in args.kinds.split(",") if k.strip()]:
                tally = Tally(kind)
                tallies.append(tally)
                for i in range(args.runs):
                    if time.monotonic() > deadline:
                        print(f"  {kind}: stopped after {tally.runs} runs (--max-minutes)")
                        break
                    run_one(kind, i, tally, rng, base, shots, args)
    except KeyboardInterrupt:
        print("  interrupted: the figures below are for the runs that finished")
    for tally in tallies:
        print(tally.report())
    return 1 if any(t.bad for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
