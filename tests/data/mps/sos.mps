* An SOS section (line 11): not a linear program, refused.
NAME          SOS
ROWS
 N  COST
 L  CAP
COLUMNS
    X         COST        -1.0   CAP          1.0
    Y         COST        -1.0   CAP          1.0
RHS
    RHS       CAP          5.0
SOS
 S1 SOS       s1
    s1        X            1
    s1        Y            2
ENDATA
