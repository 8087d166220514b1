"""Importing records from a spreadsheet (CSV or .xlsx): `salesctl import`.

- `sheets`: read a CSV file or a workbook's sheet into numbered rows (and write rows back);
- `columns`: which field each column gives, from its heading;
- `values`: a cell as the field's type (dates, amounts, booleans, team members, customers);
- `rows`: a row's values, its key and the record it adds;
- `files`: the new files and the edits of existing ones, the new ids;
- `plan`: which record each row is, the plan of the write, checked, its problems per row.
"""
