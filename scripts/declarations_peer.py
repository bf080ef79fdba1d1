"""The peer of the declarations benchmark: the same file and the same indicators, as SQL.

DuckDB reads the CSV into a Parquet file (timed as its ingest), then runs the indicators over the Parquet file;
PostgreSQL, when a database URL is given, runs the same SQL over the table Accord filled. The indicators are those
of `accord-trade` with the default settings, over the last 365 days of the data: structuring under a 5,000 EUR cap,
new consignees of sensitive goods, general authorisations used for new destinations, and the monthly totals per
destination and HS code that per-product growth reads. Prints JSON: seconds and how many findings each engine made.
Usage: declarations_peer.py FILE.csv OUT.parquet [postgres://…]
"""
import json
import sys
import time

import duckdb

HIGH_PRIORITY = "('8471','8517','8541','8542','8525','8526','9014','8807')"

QUERIES = {
    "structuring": """
        WITH b AS (SELECT MAX(CAST(day AS DATE)) AS l FROM d),
        j AS (SELECT exporter, consignee, COALESCE(control_code, hs_code) AS goods, CAST(day AS DATE) AS dd
              FROM d, b WHERE value_eur >= 4500 AND value_eur < 5000 AND CAST(day AS DATE) > b.l - INTERVAL '365 days'),
        r AS (SELECT exporter, consignee, goods, COUNT(*) OVER (PARTITION BY exporter, consignee, goods ORDER BY dd
              RANGE BETWEEN CURRENT ROW AND INTERVAL '30 days' FOLLOWING) AS n FROM j)
        SELECT COUNT(*) FROM (SELECT exporter FROM r GROUP BY exporter, consignee, goods HAVING MAX(n) >= 3) x""",
    "new_consignee": f"""
        WITH b AS (SELECT MAX(CAST(day AS DATE)) AS l FROM d),
        w AS (SELECT consignee, control_code, hs_code, CAST(day AS DATE) AS dd FROM d, b
              WHERE CAST(day AS DATE) > b.l - INTERVAL '365 days'),
        f AS (SELECT consignee, MIN(dd) AS first FROM w GROUP BY consignee)
        SELECT COUNT(DISTINCT w.consignee) FROM w JOIN f ON f.consignee = w.consignee, b
        WHERE f.first >= b.l - INTERVAL '90 days'
          AND (w.control_code IS NOT NULL OR SUBSTR(w.hs_code, 1, 4) IN {HIGH_PRIORITY})""",
    "ga_new_destination": """
        WITH b AS (SELECT MAX(CAST(day AS DATE)) AS l FROM d),
        u AS (SELECT authorisation AS ga, destination,
                     MAX(CASE WHEN CAST(day AS DATE) > b.l - INTERVAL '90 days' THEN 1 ELSE 0 END) AS recent,
                     MAX(CASE WHEN CAST(day AS DATE) <= b.l - INTERVAL '90 days' THEN 1 ELSE 0 END) AS before
              FROM d, b WHERE authorisation IS NOT NULL AND authorisation NOT LIKE 'lic\\_%'
                AND CAST(day AS DATE) > b.l - INTERVAL '365 days'
              GROUP BY authorisation, destination)
        SELECT COUNT(*) FROM u WHERE recent = 1 AND before = 0 AND ga IN (SELECT ga FROM u WHERE before = 1)""",
    "product_months": """
        SELECT COUNT(*) FROM (SELECT SUBSTR(CAST(day AS VARCHAR), 1, 7) AS m, destination, hs_code, SUM(value_eur)
                              FROM d GROUP BY 1, 2, 3) x""",
}


def run_all(execute):
    found, started = {}, time.perf_counter()
    for name, sql in QUERIES.items():
        found[name] = execute(sql)
    return time.perf_counter() - started, found


def main():
    csv_path, parquet_path = sys.argv[1], sys.argv[2]
    out = {}
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(f"""COPY (SELECT * FROM read_csv('{csv_path}', header = true, columns = {{
        'date': 'DATE', 'exporter': 'VARCHAR', 'consignee': 'VARCHAR', 'end_user': 'VARCHAR',
        'destination': 'VARCHAR', 'hs_code': 'VARCHAR', 'control_code': 'VARCHAR', 'quantity': 'DOUBLE',
        'value_eur': 'DOUBLE', 'authorisation': 'VARCHAR', 'reference': 'VARCHAR'}}))
        TO '{parquet_path}' (FORMAT parquet)""")
    ingest = time.perf_counter() - started
    con.execute(f"CREATE VIEW d AS SELECT date AS day, * EXCLUDE (date) FROM read_parquet('{parquet_path}')")
    seconds, found = run_all(lambda sql: con.execute(sql).fetchone()[0])
    out["DuckDB over Parquet"] = {"ingest_s": ingest, "indicators_s": seconds, "found": sum(found.values()) - found["product_months"], "detail": found}
    if len(sys.argv) > 3:
        import psycopg

        with psycopg.connect(sys.argv[3]) as pg:
            pg.execute("CREATE TEMPORARY VIEW d AS SELECT * FROM declarations WHERE authority_id = 'DE-BAFA'")
            seconds, found = run_all(lambda sql: pg.execute(sql).fetchone()[0])
        out["SQL on PostgreSQL (same table)"] = {"ingest_s": None, "indicators_s": seconds, "found": sum(found.values()) - found["product_months"], "detail": found}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
