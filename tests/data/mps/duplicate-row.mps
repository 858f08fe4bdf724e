* Row CAP is declared twice (lines 5 and 6): HiGHS drops every row name; refused at line 6.
NAME          DUPROW
ROWS
 N  COST
 L  CAP
 L  CAP
COLUMNS
    X         COST        -1.0   CAP          1.0
    Y         COST        -1.0   CAP          1.0
RHS
    RHS       CAP          5.0
ENDATA
