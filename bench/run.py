"""`make bench`: run every bench/bench_*.py in its own process; show each one's summary lines (the
median ratio of its rounds and their spread) and keep its whole report in a log.

    python bench/run.py [LOG_DIR]        (logs in .continuum/bench-logs unless LOG_DIR is given)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from common import RESULT

here = Path(__file__).resolve().parent
logs = Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent / ".continuum" / "bench-logs"
logs.mkdir(parents=True, exist_ok=True)
failed, results = 0, []
for script in sorted(here.glob("bench_*.py")):
    log = logs / f"{script.stem}.log"
    print(f"{script.stem} (the whole report: {log})", flush=True)
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert process.stdout is not None
        for line in process.stdout:
            out.write(line)
            if line.startswith(RESULT):
                results.append(line.rstrip())
                print("  " + line.rstrip(), flush=True)
    if process.wait() != 0:
        failed += 1
        print(f"  FAILED (exit {process.returncode}); the end of its report:", flush=True)
        print("".join(f"    {line}" for line in log.read_text().splitlines(keepends=True)[-15:]), flush=True)
    print(f"  {time.monotonic() - started:.0f} s", flush=True)
print("\nsummary (median ratio of alternating rounds, their spread):")
print("\n".join(results))
sys.exit(1 if failed else 0)
