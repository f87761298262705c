-- SQLite workload: build tables with a recursive CTE, index, join, group,
-- sort, a window function and an update.  Run as: sqlite3 :memory: < query.sql
-- The row count is set by the first line of params.sql (written by run.py).
CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, s TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT n FROM params))
INSERT INTO t SELECT x, (x * 7919) % 1009, (x * 104729) % 100003, printf('row%08d', (x * 31) % 50021) FROM c;
CREATE TABLE u(k INTEGER PRIMARY KEY, name TEXT);
WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < 1008)
INSERT INTO u SELECT x, 'name' || x FROM c;
CREATE INDEX t_b ON t(b);
SELECT count(*), sum(a), max(b), min(s) FROM t;
SELECT u.name, count(*), sum(t.b) % 1000003 FROM t JOIN u ON u.k = t.a GROUP BY t.a ORDER BY 3 DESC, 1 LIMIT 5;
SELECT count(*) FROM t WHERE b BETWEEN 1000 AND 20000;
SELECT s, count(*) FROM t GROUP BY s ORDER BY count(*) DESC, s LIMIT 3;
SELECT sum(r) FROM (SELECT a, row_number() OVER (PARTITION BY a ORDER BY b) AS r FROM t) WHERE r % 10 = 0;
UPDATE t SET b = b + 1 WHERE a % 3 = 0;
SELECT total(b) FROM t;
SELECT count(*) FROM t t1 JOIN t t2 ON t2.id = t1.b WHERE t2.a < 100;
