"""What the epic roll-up triggers (backlog/rollup.py) cost on writes, beside the alternative weighed against them.

    .venv/bin/python bench/rollup_writes.py            # on tpm_bench's B100K product (run bench/api.py first)

Each write runs in a transaction that is rolled back (nothing stays), five times, median, three ways: the
statement-level triggers as installed by backlog/migrations/0005_epic_rollup.py ("statement"); the same
with UPDATE handled instead by a row-level trigger filtered by WHEN ("row UPDATE", the alternative); and no
trigger at all ("none": the triggers disabled inside the transaction). Prints a markdown table in
milliseconds. The "none" runs take an ACCESS EXCLUSIVE lock on the story table for one case at a time:
do not run this beside a benchmark.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import psycopg2

# The alternative: UPDATE handled row by row, only for rows whose counted fields changed.
ROW_UPDATE_VARIANT = r"""
CREATE OR REPLACE FUNCTION backlog_rollup_story_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM backlog_feature AS f WHERE f.id IN (OLD.feature_id, NEW.feature_id) ORDER BY f.id FOR SHARE;
    PERFORM backlog_rollup_apply(ARRAY(
        SELECT ROW(COALESCE(f.epic_id, c.epic_id), c.status_id, c.sign, c.sign * COALESCE(c.points, 0),
                   CASE WHEN c.points IS NULL THEN 0 ELSE c.sign END)::backlog_rollup_delta
          FROM (VALUES (1, NEW.feature_id, NEW.epic_id, NEW.status_id, NEW.points::integer),
                       (-1, OLD.feature_id, OLD.epic_id, OLD.status_id, OLD.points::integer))
               AS c(sign, feature_id, epic_id, status_id, points)
          LEFT JOIN backlog_feature AS f ON f.id = c.feature_id
    ));
    RETURN NULL;
END;
$$;
DROP TRIGGER backlog_rollup_story_update ON backlog_story;
CREATE TRIGGER backlog_rollup_story_update AFTER UPDATE OF feature_id, epic_id, status_id, points ON backlog_story
    FOR EACH ROW WHEN ((OLD.feature_id, OLD.epic_id, OLD.status_id, OLD.points)
                       IS DISTINCT FROM (NEW.feature_id, NEW.epic_id, NEW.status_id, NEW.points))
    EXECUTE FUNCTION backlog_rollup_story_row_changed();
"""
DISABLE = "ALTER TABLE backlog_story DISABLE TRIGGER USER; ALTER TABLE backlog_feature DISABLE TRIGGER USER"
INSERT_ONE = """
    INSERT INTO backlog_story (product_id, number, title, description, statement, status_id, rank, priority,
                               feature_id, created_at, updated_at)
    VALUES (%(product)s, 2000000 + {i}, 't', '', '', %(todo)s, '~~{i}', 3, %(f1)s, now(), now())
"""
INSERT_MANY = """
    INSERT INTO backlog_story (product_id, number, title, description, statement, status_id, rank, priority,
                               feature_id, points, created_at, updated_at)
    SELECT product_id, number + 1000000, title, description, statement, status_id, rank || '~~', priority,
           feature_id, points, now(), now()
      FROM backlog_story WHERE id = ANY(%(ids)s)
"""
CASES: tuple[tuple[str, str, int], ...] = (
    ("1 story: rank move (no counted change)", "UPDATE backlog_story SET rank = 'zz~{i}' WHERE id = %(one)s", 50),
    (
        "1 story: full-row save, nothing counted changed",
        "UPDATE backlog_story SET title = title, status_id = status_id, points = points WHERE id = %(one)s",
        50,
    ),
    (
        "1 story: status change",
        "UPDATE backlog_story SET status_id = CASE WHEN status_id = %(done)s THEN %(todo)s ELSE %(done)s END"
        " WHERE id = %(one)s",
        50,
    ),
    (
        "1 story: points change",
        "UPDATE backlog_story SET points = COALESCE(points, 0) %% 20 + 1 WHERE id = %(one)s",
        50,
    ),
    (
        "1 story: moved to a feature of another epic",
        "UPDATE backlog_story SET feature_id = CASE WHEN feature_id = %(f1)s THEN %(f2)s ELSE %(f1)s END"
        " WHERE id = %(one)s",
        50,
    ),
    ("1 story: insert", INSERT_ONE, 50),
    ("1 story: delete", "DELETE FROM backlog_story WHERE id = %(one)s", 1),
    (
        "1 feature: moved to another epic (its ≈50 stories)",
        "UPDATE backlog_feature SET epic_id = CASE WHEN epic_id = %(e1)s THEN %(e2)s ELSE %(e1)s END WHERE id = %(f1)s",
        20,
    ),
    (
        "5,000 stories, 1 statement: status change",
        "UPDATE backlog_story SET status_id = %(wip)s WHERE id = ANY(%(ids)s)",
        1,
    ),
    ("5,000 stories, 1 statement: rank only", "UPDATE backlog_story SET rank = rank || '~' WHERE id = ANY(%(ids)s)", 1),
    (
        "5,000 stories, 1 statement: sprint to NULL",
        "UPDATE backlog_story SET sprint_id = NULL WHERE id = ANY(%(ids)s)",
        1,
    ),
    ("5,000 stories, 1 statement: insert (bulk_create)", INSERT_MANY, 1),
    ("5,000 stories, 1 statement: delete", "DELETE FROM backlog_story WHERE id = ANY(%(ids)s)", 1),
)


def parameters(cur: Any, product_key: str) -> dict[str, Any]:
    cur.execute("SELECT id FROM workspaces_product WHERE key = %s ORDER BY id LIMIT 1", [product_key])
    product = cur.fetchone()[0]
    cur.execute("SELECT category, id FROM backlog_workflowstatus WHERE product_id = %s", [product])
    status = dict(cur.fetchall())
    cur.execute(
        "SELECT id FROM backlog_story WHERE product_id = %s AND feature_id IS NOT NULL ORDER BY id LIMIT 5000",
        [product],
    )
    ids = [row[0] for row in cur.fetchall()]
    cur.execute("SELECT id FROM backlog_feature WHERE product_id = %s ORDER BY id LIMIT 2", [product])
    f1, f2 = (row[0] for row in cur.fetchall())
    cur.execute("SELECT id FROM backlog_epic WHERE product_id = %s ORDER BY id LIMIT 2", [product])
    e1, e2 = (row[0] for row in cur.fetchall())
    return {
        "product": product,
        "done": status["done"],
        "todo": status["todo"],
        "wip": status["in_progress"],
        "ids": ids,
        "one": ids[0],
        "f1": f1,
        "f2": f2,
        "e1": e1,
        "e2": e2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", default="postgres://postgres@127.0.0.1:5432/tpm_bench")
    parser.add_argument("--product-key", default="B100K")
    args = parser.parse_args()
    conn = psycopg2.connect(args.dsn)
    cur = conn.cursor()
    params = parameters(cur, args.product_key)
    conn.rollback()
    setups = {"statement": None, "row UPDATE": ROW_UPDATE_VARIANT, "none": DISABLE}
    print(f"| write ({args.product_key}) | {' | '.join(setups)} |")
    print("|---|" + "---:|" * len(setups))
    for name, sql, repeat in CASES:
        medians = []
        for setup in setups.values():
            times = []
            for _ in range(5):
                if setup:
                    cur.execute(setup)
                started = time.perf_counter()
                for i in range(repeat):
                    cur.execute(sql.replace("{i}", str(i)), params)
                times.append((time.perf_counter() - started) * 1000 / repeat)
                conn.rollback()
            medians.append(statistics.median(times))
        print(f"| {name} | {' | '.join(f'{m:.2f}' for m in medians)} |", flush=True)
    conn.close()


if __name__ == "__main__":
    main()
