"""Runs the SQL catalogue (catalogue.mjs) on chDB, a current ClickHouse embedded in Python.

Applies every owner's migrations in version order with the migration runner's own ledger
statements, seeds the tables with the services' own inserts (the loader's RowBinary bytes
and the JSONEachRow rows of each TableSink), then runs every query. Fails with the name of
the first statement ClickHouse refuses, or of a query whose answer is not what the seed
rows imply. Usage: check.py catalogue.json
"""
import json
import sys
import tempfile

from chdb import session


def sql_string(data: bytes) -> str:
    """Bytes as a ClickHouse string literal (\\xNN escapes keep RowBinary exact)."""
    return "'" + "".join("\\x%02x" % b for b in data) + "'"


def main(path: str, compare=None) -> int:
    with open(path, encoding="utf-8") as f:
        cat = json.load(f)
    db = cat["database"]
    s = session.Session(tempfile.mkdtemp(prefix="ies-chdb-"))
    failures = []

    def run(name: str, sql: str, fmt: str = "JSONEachRow"):
        try:
            return s.query(sql, fmt)
        except Exception as err:  # chDB raises RuntimeError with ClickHouse's message
            failures.append(name)
            print(f"FAIL {name}: {str(err).strip()[:600]}\n  SQL: {sql[:400]}", file=sys.stderr)
            return None

    version = s.query("SELECT version()", "CSV").bytes().decode().strip().strip('"')
    print(f"[sql-check] chDB {version}")
    for e in (cat["ledger"]["createDatabase"], cat["ledger"]["createTable"]):
        run(e["name"], e["sql"])
    s.query(f"USE {db}")
    # 18.16 refuses a JSONEachRow field the table lacks; 26.x skips it by default. Refuse
    # here too, so a row builder that drifts from its migration fails on both.
    s.query("SET input_format_skip_unknown_fields = 0")
    for m, record in zip(cat["migrations"], cat["ledger"]["record"]):
        for i, statement in enumerate(m["statements"], 1):
            run(f"migration {m['version']:04d}_{m['name']} ({m['owner']}) statement {i}", statement)
        run(record["name"], record["sql"])

    for e in cat["rowBinaryInserts"]:
        cols = ", ".join(e["columns"])
        types = s.query(
            f"SELECT name, type FROM system.columns WHERE database = '{db}' AND table = '{e['table']}'", "JSONEachRow"
        ).bytes().decode()
        by_name = {r["name"]: r["type"] for r in map(json.loads, filter(None, types.splitlines()))}
        missing = [c for c in e["columns"] if c not in by_name]
        if missing:
            failures.append(e["name"])
            print(f"FAIL {e['name']}: columns {missing} not in {e['table']}", file=sys.stderr)
            continue
        structure = ", ".join(f"{c} {by_name[c]}" for c in e["columns"]).replace("'", "\\'")
        run(e["name"], f"INSERT INTO {e['table']} ({cols}) SELECT * FROM format(RowBinary, '{structure}', {sql_string(bytes.fromhex(e['hex']))})")

    for e in cat["inserts"]:
        body = "\n".join(json.dumps(r, ensure_ascii=False) for r in e["rows"])
        run(e["name"], e["statement"] + "\n" + body)

    answers = {}
    for q in cat["queries"]:
        out = run(q["name"], q["sql"])
        if out is not None:
            answers[q["name"]] = out.bytes()

    failures.extend(check_answers(answers))
    if compare is not None:
        failures.extend(compare_answers(cat, answers, compare))
    total = len(cat["migrations"]) + len(cat["rowBinaryInserts"]) + len(cat["inserts"]) + len(cat["queries"])
    if failures:
        print(f"[sql-check] {len(failures)} failed on chDB {version}: {', '.join(failures)}", file=sys.stderr)
        return 1
    print(f"[sql-check] {total} statements ran on chDB {version}: {len(cat['migrations'])} migrations, "
          f"{len(cat['rowBinaryInserts']) + len(cat['inserts'])} inserts, {len(cat['queries'])} queries")
    return 0


def rows(raw: bytes):
    return [json.loads(line) for line in raw.decode("utf-8", "replace").splitlines() if line.strip()]


def check_answers(answers):
    """What the seed rows imply, for the queries whose answer is easy to state."""
    expected = {
        # M-'1 block 1: B-2 (420, MANUAL) revises B-1 (412); block 2 SUSPECT; M-2 ESTIMATED.
        "reads.latestBlocks": lambda r: sorted((x["meter_id"], int(x["latest_wh"]), x["latest_status"], x["latest_batch"]) for x in r)
        == sorted([("M-'1", 420, "MANUAL", "B-2"), ("M-'1", 9, "SUSPECT", "B-1"), ("M-2", 7, "ESTIMATED", "B-1")]),
        "reads.dayFingerprints": lambda r: sorted((x["meter_id"], int(x["n"])) for x in r) == [("M-'1", 3), ("M-2", 1)],
        "reads.locateLatest": lambda r: [(x["batch_id"], int(x["index_in_batch"])) for x in r] == [("B-2", 0)],
        "reads.locateInBatch": lambda r: [(x["batch_id"], int(x["index_in_batch"])) for x in r] == [("B-1", 0)],
        "reads.batchReads": lambda r: [x["meter_id"] for x in r] == ["M-'1", "M-'1", "M-2"],
        "reads.countReads": lambda r: int(r[0]["n"]) == 4,
        "dr.baselines": lambda r: len(r) == 2 and any(x["baseline_wh"] is None for x in r),
        "dr.latestPerformance": lambda r: len(r) == 1 and int(r[0]["net_paise"]) == 300,
        "dr.delivery": lambda r: [int(x["delivered_wh"]) for x in r] == [50],
    }
    failed = []
    for name, ok in expected.items():
        if name not in answers:
            continue
        got = rows(answers[name])
        try:
            good = ok(got)
        except (KeyError, IndexError, ValueError, TypeError):
            good = False
        if not good:
            failed.append(name)
            print(f"FAIL {name}: unexpected answer {json.dumps(got)[:600]}", file=sys.stderr)
    return failed


# Queries whose answer on 18.16 differs from 26.x by design, with why.
KNOWN_DIFFERENCES = {
    "loader.readDaysViewAge": "seconds since each engine created the view: a clock reading, not a result",
}


def normalise(value):
    """18.16 quotes 64-bit integers in JSON (output_format_json_quote_64bit_integers), chDB
    does not: compare numbers as numbers."""
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


def compare_answers(cat, answers, path):
    """Each query's answer on chDB beside its answer on the local stack's ClickHouse."""
    with open(path, encoding="utf-8") as f:
        stack = json.load(f)
    print(f"[sql-check] comparing with ClickHouse {stack['(version)']['text']} (local stack)")
    failed = []
    for q in cat["queries"]:
        name = q["name"]
        if name not in answers or name not in stack:
            continue
        theirs = bytes.fromhex(stack[name]["hex"])
        if q["sql"].rstrip().endswith("FORMAT RowBinary"):
            # groupArray keeps reading order, which may differ: compare sizes, not bytes.
            same = len(theirs) == len(answers[name])
        else:
            a, b = normalise(rows(answers[name])), normalise(rows(theirs))
            if "ORDER BY" not in q["sql"] or "rand()" in q["sql"]:
                a, b = sorted(a, key=json.dumps), sorted(b, key=json.dumps)
            same = a == b
        if same:
            continue
        if name in KNOWN_DIFFERENCES:
            print(f"note {name}: differs as known: {KNOWN_DIFFERENCES[name]}")
            continue
        failed.append(name)
        print(f"FAIL {name}: chDB and the stack answer differently\n  chDB:  {answers[name][:400]!r}\n  stack: {theirs[:400]!r}", file=sys.stderr)
    return failed


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--compare=")]
    compare = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--compare=")), None)
    sys.exit(main(args[0] if args else "out/sql-check/catalogue.json", compare))
