"""Run firmware test modules under the MicroPython unix port: every test_* function of each
module named on the command line. Prints PASS/FAIL per test and exits 1 if any failed.
Used by test_micropython.py; it runs nothing by itself under pytest."""

import sys


def run(names):
    passed = failed = 0
    for name in names:
        mod = __import__(name)
        for attr in sorted(dir(mod)):
            if not attr.startswith("test_"):
                continue
            try:
                getattr(mod, attr)()
            except Exception as e:
                failed += 1
                print(f"FAIL {name}.{attr}")
                sys.print_exception(e)
            else:
                passed += 1
                print(f"PASS {name}.{attr}")
    print(f"mprun: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
