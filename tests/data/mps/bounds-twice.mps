* Two upper bounds for X (lines 16, 17; HiGHS keeps the first) and an UP bound of -1 on Y
* with lower bound 0 (line 18); a second RHS set (line 14) is read as part of the first.
NAME          SILENT
ROWS
 N  COST
 L  CAP
 G  DEM
COLUMNS
    X         COST        -1.0   CAP          1.0
    Y         COST        -1.0   CAP          1.0
    Y         DEM          1.0
RHS
    RHS       CAP          5.0
    RHS2      DEM          1.0
BOUNDS
 UP BND       X            5.0
 UP BND       X            3.0
 UP BND       Y           -1.0
 LO BND2      X            1.0
ENDATA
