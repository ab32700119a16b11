// Issue 13: cartesian product without a bound.
UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN a, b
