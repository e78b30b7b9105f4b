"""The union tree, employers (一企一册), grids, liaisons, visits, problem lists and brand matrix."""
