-- Staging: validation findings of every load attempt (file, sheet, Excel row and column, message).
-- Grain: load_id × finding.
select
    load_id,
    file,
    sheet,
    "row" as excel_row,
    "column" as excel_column,
    field,
    rule,
    severity,
    message
from read_parquet('log/findings/*.parquet', union_by_name = true)
