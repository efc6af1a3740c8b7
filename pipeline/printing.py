"""One print setup for every sheet staff print: A4 landscape, one page wide, titled, numbered."""


def a4_landscape(ws, header: str = "", *, repeat_row: int | None = None) -> None:
    """`header` is xlsxwriter header syntax (e.g. `&L标题&R页名`); `repeat_row` repeats on each page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    if header:
        ws.set_header(header)
    ws.set_footer("&C第 &P 页，共 &N 页")
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)
