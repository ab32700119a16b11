// Quadratic string building.
RETURN size(reduce(s = '', x IN range(1, 10000000) | s + 'abcdefghij'))
