"""A writer process for the concurrency tests: ``python -m tests.audit_writer STORE COUNT TAG [hold]``.

Appends COUNT records (0: until killed), printing each record id as soon as it
is committed, so the test knows which records must survive. With ``hold`` it
stops inside the transaction of its last record, after every row is written
and before the commit, prints ``holding`` and waits to be killed.
"""

from __future__ import annotations

import sys
import time

from audit import NewRecord, Store

RULES = {"parameters.yaml": b"parameters: []\n", "sale.yaml": b"topic: sale\n" + b"# padding\n" * 2000}


def main() -> None:
    setting, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    hold = sys.argv[4:] == ["hold"]
    with Store.open(setting) as store:
        if hold:
            append = store._append
            seen = {"n": 0}

            def append_then_hold(conn, values):
                rid = append(conn, values)
                seen["n"] += 1
                if seen["n"] == count:
                    print("holding", rid, flush=True)
                    time.sleep(120)
                return rid

            store._append = append_then_hold  # type: ignore[method-assign]
        n = 0
        while count == 0 or n < count:
            n += 1
            case_id = f"{tag}-{n}"
            rid = store.record(
                NewRecord(
                    case_id=case_id,
                    case_bytes=(f"case_id: {case_id}\n" + "x" * 20000).encode(),
                    case={"case_id": case_id, "n": n},
                    result={"case_id": case_id, "trace": ["step"] * 500},
                    ruleset_version="w" * 64,
                    rule_files=RULES,
                    engine_name="durable-rules",
                    engine_version="2.0.28",
                    zansai_version="0",
                    as_of="2025-01-01",
                    rank1="voluntary_sale",
                    advisor=tag,
                )
            )
            # one write per line, so a kill can cut a line only at its end
            sys.stdout.write(f"{rid} {case_id}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
