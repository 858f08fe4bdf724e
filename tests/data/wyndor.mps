* Wyndor Glass Co., the prototype LP of Hillier & Lieberman, "Introduction to
* Operations Research", Sec. 3.1: max Z = 3 x1 + 5 x2 (thousand $ a week) subject to
* plant hours x1 <= 4, 2 x2 <= 12, 3 x1 + 2 x2 <= 18. Written here in minimise form,
* min -3 x1 - 5 x2; published optimum x1 = 2, x2 = 6, Z = 36 (so -36 here).
NAME          WYNDOR
ROWS
 N  COST
 L  PLANT1
 L  PLANT2
 L  PLANT3
COLUMNS
    X1        COST        -3.0   PLANT1       1.0
    X1        PLANT3       3.0
    X2        COST        -5.0   PLANT2       2.0
    X2        PLANT3       2.0
RHS
    RHS       PLANT1       4.0   PLANT2      12.0
    RHS       PLANT3      18.0
ENDATA
