* Column X has two entries in row CAP (lines 7 and 8): HiGHS keeps the first; refused at 8.
NAME          DUPENTRY
ROWS
 N  COST
 L  CAP
COLUMNS
    X         COST        -1.0   CAP          1.0
    X         CAP          2.0
RHS
    RHS       CAP          5.0
ENDATA
