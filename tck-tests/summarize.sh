#!/usr/bin/env bash
# Prints the counts and the failing tests of the last TCK run from its Failsafe reports (names only, no TCK text).
#   tck-tests/summarize.sh [<failsafe-reports dir>]
# SINCE=<file>: count only reports written after that file (e.g. the run's log), leaving out those of earlier runs.
set -euo pipefail
DIR="${1:-$(dirname "$0")/target/failsafe-reports}"
python3 - "$DIR" "${SINCE:-}" <<'PY'
import glob, os, sys, xml.etree.ElementTree as ET
since = os.path.getmtime(sys.argv[2]) if sys.argv[2] else 0
tests = fail = err = skip = 0
time = 0.0
bad = []
classes = 0
for f in sorted(glob.glob(sys.argv[1] + "/TEST-com.sun.ts.tests.jms.*.xml")):
    if os.path.getmtime(f) < since:
        continue
    classes += 1
    s = ET.parse(f).getroot()
    tests += int(s.get("tests")); fail += int(s.get("failures")); err += int(s.get("errors")); skip += int(s.get("skipped"))
    time += float(s.get("time", "0").replace(",", ""))
    for c in s.iter("testcase"):
        for kind in ("failure", "error"):
            e = c.find(kind)
            if e is not None:
                cause = (e.get("type") or "") + (": " + e.get("message").splitlines()[0][:160] if e.get("message") else "")
                bad.append(f"{c.get('classname').replace('com.sun.ts.tests.jms.', '')}#{c.get('name')}  [{kind}] {cause}")
print(f"classes={classes} tests={tests} passed={tests - fail - err - skip} failures={fail} errors={err} skipped={skip} test-time={time:.0f}s")
for b in bad:
    print(b)
PY
