* A binary column through a BV bound (line 11): an integer model, refused.
NAME          BV
ROWS
 N  COST
 L  CAP
COLUMNS
    X         COST        -1.0   CAP          1.0
RHS
    RHS       CAP          5.0
BOUNDS
 BV BND       X
ENDATA
