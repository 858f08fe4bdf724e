* A small MIP: kantorovich refuses integer columns (it solves linear programs).
NAME          KNAPSACK
ROWS
 N  VALUE
 L  WEIGHT
COLUMNS
    MARKER                 'MARKER'                 'INTORG'
    ITEM1     VALUE       -5.0   WEIGHT       3.0
    ITEM2     VALUE       -4.0   WEIGHT       2.0
    MARKER                 'MARKER'                 'INTEND'
    SLACK     VALUE        0.0   WEIGHT       1.0
RHS
    RHS       WEIGHT       4.0
BOUNDS
 UP BND       ITEM1        1.0
 UP BND       ITEM2        1.0
ENDATA
