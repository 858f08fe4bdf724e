* Every MPS row and bound kind kantorovich maps (see kantorovich.lp.mps):
*   min 2 x1 + x2 - x3 + 1.5 x4 + 10       (RHS -10 on the objective row = constant +10)
*   DEM   x1 + x2            >= 3
*   CAP   x1 + 2 x3          <= 8
*   BAL   x2 - x3 + x4        = 1         equality
*   RNGL  2 <= x3 + x4       <= 6         L row with range 4
*   RNGE  -5 <= x1 - x4      <= 0         E row with range -5
*   NEG   x2 - x1            >= -4        negative right-hand side: a supply
*   NEGL  -x3                <= -1        negative right-hand side: a demand
*   NOTE  x1 + x4                         second N row: HiGHS drops it
*   LOOSE x1 + x2 + x3 + x4  <= 1e30      infinite bound: a free row
*   -2 <= x1 <= 5, x2 >= -3, 0 <= x3 <= 4, x4 <= 10 (free below)
NAME          MIXED
ROWS
 N  COST
 G  DEM
 L  CAP
 E  BAL
 L  RNGL
 E  RNGE
 G  NEG
 L  NEGL
 N  NOTE
 L  LOOSE
COLUMNS
    X1        COST         2.0   DEM          1.0
    X1        CAP          1.0   RNGE         1.0
    X1        NEG         -1.0   NOTE         1.0
    X1        LOOSE        1.0
    X2        COST         1.0   DEM          1.0
    X2        BAL          1.0   NEG          1.0
    X2        LOOSE        1.0
    X3        COST        -1.0   CAP          2.0
    X3        BAL         -1.0   RNGL         1.0
    X3        NEGL        -1.0   LOOSE        1.0
    X4        COST         1.5   BAL          1.0
    X4        RNGL         1.0   RNGE        -1.0
    X4        NOTE         1.0   LOOSE        1.0
RHS
    RHS       COST       -10.0   DEM          3.0
    RHS       CAP          8.0   BAL          1.0
    RHS       RNGL         6.0   RNGE         0.0
    RHS       NEG         -4.0   NEGL        -1.0
    RHS       LOOSE        1e30
RANGES
    RNG       RNGL         4.0   RNGE        -5.0
BOUNDS
 LO BND       X1          -2.0
 UP BND       X1           5.0
 LO BND       X2          -3.0
 UP BND       X3           4.0
 MI BND       X4
 UP BND       X4          10.0
ENDATA
