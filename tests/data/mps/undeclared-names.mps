* Names that ROWS and COLUMNS never declare: row CAPP (line 8), RHS row NOPE (line 11),
* RANGES row NOPE2 (line 13), bound on column Z (line 15; HiGHS would add a column).
NAME          UNK
ROWS
 N  COST
 L  CAP
COLUMNS
    X         COST        -1.0   CAPP         1.0
    X         CAP          1.0
RHS
    RHS       CAP          5.0   NOPE         3.0
RANGES
    RNG       NOPE2        1.0
BOUNDS
 UP BND       Z            5.0
ENDATA
