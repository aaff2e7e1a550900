"""The leaderboard as files: the CSV whose columns are the 2019 appendix's checked data."""

import csv
import io

from portal.leaderboard.services import APPENDIX_COLUMNS

CSV_COLUMNS = ("stt", "department", "appendix_style", *APPENDIX_COLUMNS)


def appendix_csv(board) -> str:
    """One row per department in the table's order; appendix_style is the row's mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, row in enumerate(board.rows, start=1):
        writer.writerow([number, row.name, row.style,
                         *(row[column] for column in APPENDIX_COLUMNS)])
    return out.getvalue()
