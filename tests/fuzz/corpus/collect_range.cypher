// Issue 13: collect() over a huge range.
UNWIND range(1, 1000000000) AS x RETURN collect(x);
UNWIND range(1, 100000000) AS x RETURN size(collect(x))
