* Fixed MPS (names with spaces): the row 'CAP ROW' is declared twice, and the
* column 'X 1' comes back after 'Y 2'; both are refused with their lines.
NAME          FIXEDDUP
ROWS
 N  COST
 L  CAP ROW
 L  CAP ROW
COLUMNS
    X 1       COST              -1.0   CAP ROW            1.0
    Y 2       COST              -1.0   CAP ROW            1.0
    X 1       CAP ROW            1.0
RHS
    RHS       CAP ROW            5.0
ENDATA
