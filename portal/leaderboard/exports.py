"""The leaderboard as files, in the 2019 appendix's layout: CSV (the checked data's columns),
XLSX and PDF; and the same table as a document appendix for the oversight letter."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from weasyprint import HTML

from portal.clock import as_local, utcnow
from portal.leaderboard.services import APPENDIX_COLUMNS, Leaderboard, Row
from portal.organisations.models import SECTOR_2019
from portal.rendering.html import render_html
from portal.rendering.pdf import ASSETS_URL, PortalAssets
from portal.rendering.values import appendix_values
from portal.spreadsheets import csv_file, put_cell

CSV_COLUMNS = ("stt", "department", "appendix_style", *APPENDIX_COLUMNS)

APPENDIX_TITLE = "TÌNH HÌNH GỬI, NHẬN VĂN BẢN ĐIỆN TỬ NGÀNH TÀI NGUYÊN VÀ MÔI TRƯỜNG"
# The 2019 appendix's header: four rows, cells spanning rows and columns as printed.
APPENDIX_HEADER = [
    [{"text": "STT", "rowspan": 4}, {"text": "Cơ quan/Đơn vị", "rowspan": 4},
     {"text": "Hệ thống tương tác ngành", "colspan": 6},
     {"text": "Trục liên thông văn bản quốc gia", "colspan": 2},
     {"text": "Tổng hợp", "colspan": 2}],
    [{"text": "Đã nhận từ Bộ", "rowspan": 3}, {"text": "Tình hình xử lý", "colspan": 4},
     {"text": "Đã gửi đến Bộ", "rowspan": 3}, {"text": "Đã nhận từ Bộ", "rowspan": 3},
     {"text": "Đã gửi đến Bộ", "rowspan": 3}, {"text": "Đã nhận", "rowspan": 3},
     {"text": "Đã gửi", "rowspan": 3}],
    [{"text": "Đã tiếp nhận, xử lý", "rowspan": 2},
     {"text": "Văn bản có thời hạn - phải trả lời", "colspan": 3}],
    [{"text": "Đã trả lời"}, {"text": "Đúng hạn"}, {"text": "Chưa trả lời"}],
]


def in_sector(text: str, sector: str) -> str:
    """The 2019 text with the ministry's field as it stood (the sector's name follows the
    ministry's: "Tài nguyên và Môi trường" until 1 March 2025, then its successor's)."""
    return (text.replace(SECTOR_2019, sector)
            .replace(SECTOR_2019.upper(), sector.upper()))


def vn_number(value: int) -> str:
    """20828 → 20.828, as Vietnamese documents write numbers."""
    return f"{value:,}".replace(",", ".")


def vn_percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%".replace(".", ",") if whole else "–"


def vn_day(day) -> str:
    return day.strftime("%d/%m/%Y")


def period_subtitle(board: Leaderboard) -> str:
    return f"(Từ ngày {vn_day(board.period.first)} đến ngày {vn_day(board.period.last)})"


def name_with_note(row: Row) -> str:
    """The row's name in the period, and what it includes (in Vietnamese, as the document)."""
    if not row.predecessors:
        return row.name
    included = ", ".join(f"{p.name} (sáp nhập từ {vn_day(p.merged_on)})"
                         for p in row.predecessors)
    return f"{row.name} – gồm cả {included}"


def appendix_table(board: Leaderboard, number=vn_number) -> dict:
    """The table as a document appendix (see rendering.values.appendix_values): rows in the
    board's order, marked as the published assessments mark them, and the total."""
    return {
        "title": in_sector(APPENDIX_TITLE, board.standing.sector),
        "subtitle": period_subtitle(board),
        "header": APPENDIX_HEADER,
        "rows": [{"cells": [place, name_with_note(row),
                            *(number(row[c]) for c in APPENDIX_COLUMNS)],
                  "style": row.style}
                 for place, row in enumerate(board.rows, start=1)],
        "total": ["", "Tổng cộng", *(number(board.total[c]) for c in APPENDIX_COLUMNS)],
    }


def header_paths(header: list[list[dict]]) -> list[str]:
    """Each column's heading read down the spanning header: "Tổng hợp / Đã gửi"."""
    paths: dict[int, list[str]] = {}
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(header):
        column = 0
        for cell in cells:
            while (r, column) in taken:
                column += 1
            rows, cols = cell.get("rowspan", 1), cell.get("colspan", 1)
            for dc in range(cols):
                paths.setdefault(column + dc, []).append(cell["text"])
                taken.update((r + dr, column + dc) for dr in range(rows))
            column += cols
    return [" / ".join(paths[c]) for c in sorted(paths)]


_STT, _DEPARTMENT, *_FIGURES = header_paths(APPENDIX_HEADER)
# The CSV's columns under the appendix's headings; the row's mark is the portal's own.
CSV_HEADINGS = {"stt": _STT, "department": _DEPARTMENT, "appendix_style": "Định dạng dòng",
                **dict(zip(APPENDIX_COLUMNS, _FIGURES, strict=True))}


def appendix_csv(board: Leaderboard, vietnamese_headings: bool = False) -> bytes:
    """One row per department in the table's order; appendix_style is the row's mark."""
    rows = ([number, row.name, row.style, *(row[column] for column in APPENDIX_COLUMNS)]
            for number, row in enumerate(board.rows, start=1))
    return csv_file(CSV_COLUMNS, rows, CSV_HEADINGS if vietnamese_headings else None)


_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)


def appendix_xlsx(board: Leaderboard) -> bytes:
    """One sheet as the 2019 appendix: title, period, the four-row header (merged cells),
    one row per department with its mark, the total row; figures are numbers, text is never
    a formula (portal.spreadsheets)."""
    table = appendix_table(board, number=int)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Phụ lục"
    width = 2 + len(APPENDIX_COLUMNS)
    for row, text, font in ((1, table["title"], Font(bold=True, size=13)),
                            (2, table["subtitle"], Font(italic=True))):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        put_cell(sheet, row, 1, text).font = font
        sheet.cell(row, 1).alignment = _CENTRED
    first = 4
    _place_header(sheet, APPENDIX_HEADER, first)
    body = first + len(APPENDIX_HEADER)
    lines = [(r["cells"], r["style"]) for r in table["rows"]] + [(table["total"], "bold")]
    for offset, (cells, style) in enumerate(lines):
        for column, value in enumerate(cells, start=1):
            cell = put_cell(sheet, body + offset, column, value)
            cell.border = _BOX
            cell.font = Font(bold=style == "bold", italic=style == "italic")
            if column > 2:
                cell.number_format = "#,##0"
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 34
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.freeze_panes = sheet.cell(body, 3)
    sheet.print_title_rows = f"{first}:{body - 1}"
    sheet.page_setup.orientation = "landscape"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _place_header(sheet, header: list[list[dict]], top: int) -> None:
    """Write header rows whose cells span rows and columns, merging what they span."""
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(header, start=top):
        column = 1
        for source in cells:
            while (r, column) in taken:
                column += 1
            rows, cols = source.get("rowspan", 1), source.get("colspan", 1)
            for dr in range(rows):
                for dc in range(cols):
                    taken.add((r + dr, column + dc))
                    sheet.cell(r + dr, column + dc).border = _BOX
            cell = put_cell(sheet, r, column, source["text"])
            cell.font, cell.alignment = Font(bold=True), _CENTRED
            if rows > 1 or cols > 1:
                sheet.merge_cells(start_row=r, start_column=column,
                                  end_row=r + rows - 1, end_column=column + cols - 1)
            column += cols


def appendix_pdf(board: Leaderboard) -> bytes:
    """The table on landscape A4 pages, laid out like the letter's appendix."""
    values = {"appendix": appendix_values(appendix_table(board)),
              "counted_at": as_local(utcnow()).strftime("%H:%M %d/%m/%Y")}
    html = render_html(values, assets=ASSETS_URL + "static/", template="leaderboard.html")
    return HTML(string=html, base_url=ASSETS_URL, url_fetcher=PortalAssets()).write_pdf()
