* Fixed MPS whose names hold spaces, read by fixed columns: min -2x - y, x + y <= 5,
* x <= 3; optimum -8 at (3, 2).
NAME          FIXEDOK
ROWS
 N  COST
 L  CAP ROW
COLUMNS
    X 1       COST              -2.0   CAP ROW            1.0
    Y 2       COST              -1.0   CAP ROW            1.0
RHS
    RHS       CAP ROW            5.0
BOUNDS
 UP BND       X 1                3.0
ENDATA
