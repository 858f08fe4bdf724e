* Column X is given in two places (lines 8 and 10): HiGHS would make two columns X
* (objective -9 instead of -5); refused at line 10.
NAME          TWICE
ROWS
 N  COST
 L  CAP
COLUMNS
    X         COST        -1.0   CAP          1.0
    Y         COST        -1.0   CAP          1.0
    X         COST        -4.0
RHS
    RHS       CAP          5.0
BOUNDS
 UP BND       X            5.0
 UP BND       Y            5.0
ENDATA
