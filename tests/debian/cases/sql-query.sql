CREATE TABLE dept (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER REFERENCES dept(id), salary REAL);
INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty');
INSERT INTO emp (name, dept_id, salary) VALUES
  ('alice', 1, 120000), ('bob', 1, 95000.5), ('carol', 2, 70000),
  ('dave', 2, 72500), ('erin', 1, 101000), ('frank', NULL, 50000);
SELECT d.name, count(e.id), sum(e.salary), printf('%.2f', avg(e.salary))
  FROM dept d LEFT JOIN emp e ON e.dept_id = d.id
  GROUP BY d.id ORDER BY d.name;
SELECT e.name, d.name FROM emp e JOIN dept d ON d.id = e.dept_id WHERE e.salary > 80000 ORDER BY e.salary DESC;
SELECT printf('%-6s|%8.1f|%05d', name, salary, id) FROM emp ORDER BY id;
SELECT name FROM emp WHERE dept_id IS NULL;
SELECT group_concat(name, ',') FROM (SELECT name FROM emp ORDER BY name);
WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < 10)
  SELECT sum(x), max(x), total(x * x) FROM cnt;
SELECT upper('abc'), length('héllo'), substr('sqlite', 2, 3), 7 / 2, 7 / 2.0, 7 % 3, abs(-4), round(2.5), 1e3;
SELECT typeof(1), typeof(1.0), typeof('x'), typeof(NULL), typeof(x'00');
UPDATE emp SET salary = salary * 1.1 WHERE dept_id = 2;
SELECT name, salary FROM emp WHERE dept_id = 2 ORDER BY name;
DELETE FROM emp WHERE salary < 60000;
SELECT count(*) FROM emp;
