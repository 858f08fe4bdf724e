* The integer model of ../integer.mps with MARKER lines unquoted: HiGHS reads MARKER as a
* row and a column name (renaming the columns C0..C4) and relaxes it; refused at line 8.
NAME          KNAP
ROWS
 N  VALUE
 L  WEIGHT
COLUMNS
    MARKER    MARKER    INTORG
    ITEM1     VALUE       -5.0   WEIGHT       3.0
    ITEM2     VALUE       -4.0   WEIGHT       2.0
    MARKER    MARKER    INTEND
    SLACK     VALUE        0.0   WEIGHT       1.0
RHS
    RHS       WEIGHT       4.0
BOUNDS
 UP BND       ITEM1        1.0
 UP BND       ITEM2        1.0
ENDATA
