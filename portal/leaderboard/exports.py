"""The leaderboard as files: the CSV whose columns are the 2019 appendix's checked data."""

import csv
import io

CSV_COLUMNS = ("stt", "department", "appendix_style", "interaction_received_from_ministry",
               "interaction_processed", "deadline_replied", "deadline_replied_on_time",
               "deadline_not_replied", "interaction_sent_to_ministry",
               "axis_received_from_ministry", "axis_sent_to_ministry", "total_received",
               "total_sent")


def appendix_csv(board) -> str:
    """One row per department in the table's order; appendix_style is the row's mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, row in enumerate(board.rows, start=1):
        writer.writerow([number, row.name, row.style,
                         *(row[column] for column in CSV_COLUMNS[3:])])
    return out.getvalue()
