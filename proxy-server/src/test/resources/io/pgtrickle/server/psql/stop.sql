SELECT 'first' AS step;
SELECT 1/0;
SELECT 'never' AS step;
