"""Build templates/bulletin.docx, the Word template of the bulletin, laid out after GB/T 9704-2012.

Staff may edit bulletin.docx directly in Word/WPS (keep the {{ ... }} and {%p ... %} tags); this
script only recreates it from scratch:  .venv/bin/python templates/make_bulletin_docx.py
"""
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEAD_FONT = "黑体"
RED = RGBColor(0xC0, 0x00, 0x00)


def font(run, name: str, size: float, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)
    if color:
        run.font.color.rgb = color


def para(doc, text: str = "", *, name=BODY_FONT, size=16, align=None, indent=True, color=None, exact=28):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(exact)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    if text:
        font(p.add_run(text), name, size, color)
    return p


def red_rule(p) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", "C00000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)


def page_number_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run("— "), BODY_FONT, 14)
    run = p.add_run()
    font(run, BODY_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    font(p.add_run(" —"), BODY_FONT, 14)


def table(doc, headers: list[str], cells: list[str], loop: str, widths_mm: list[int]) -> None:
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for c, width in enumerate(widths_mm):
        t.columns[c].width = Mm(width)
        for row in t.rows:
            row.cells[c].width = Mm(width)
    rows = [headers, [f"{{%tr for r in {loop} %}}"] + [""] * (len(headers) - 1), cells,
            ["{%tr endfor %}"] + [""] * (len(headers) - 1)]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = t.cell(r, c)
            cell.text = ""
            run = cell.paragraphs[0].add_run(value)
            font(run, HEAD_FONT if r == 0 else BODY_FONT, 12)


def official_document() -> Document:
    """A4 with GB/T 9704 margins, 3号仿宋 body text and page numbers: the page every office document uses."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    page_number_footer(section)
    return doc


def paragraphs(doc, heading: str, name: str, numbered: bool = False) -> None:
    """A heading, then one paragraph per item of the context list `name` (numbered if asked)."""
    para(doc, heading, name=HEAD_FONT)
    para(doc, f"{{%p for para in {name} %}}")
    para(doc, "{{ loop.index }}. {{ para }}" if numbered else "{{ para }}")
    para(doc, "{%p endfor %}")


def sign_off(doc) -> None:
    """The issuing office and the date, right-aligned after a blank line."""
    para(doc, "", indent=False)
    para(doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    para(doc, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def build(path: Path) -> None:
    doc = official_document()

    para(doc, "{{ office }}", name=TITLE_FONT, size=20, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, color=RED, exact=40)
    para(doc, "第{{ issue }}期", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    red_rule(para(doc, "", indent=False, exact=12))
    para(doc, "", indent=False)
    para(doc, "{{ title_lines[0] }}", name=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=36)
    para(doc, "{{ title_lines[1] }}", name=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=36)
    para(doc, "", indent=False)
    para(doc, "各街道、各部门，各专项治理小组：", indent=False)
    para(doc, "现将{{ period }}全区专项治理“微腐败”工作推进情况通报如下（统计截至{{ as_of }}，当前处于{{ phase }}阶段）。")

    def loop(heading: str, name: str, numbered: bool = False) -> None:
        paragraphs(doc, heading, name, numbered)

    loop("一、总体进展", "overall")
    para(doc, "二、表扬单位", name=HEAD_FONT)
    para(doc, "{%p if praised %}")
    para(doc, "以下单位工作推进有力、整改成效明显，予以通报表扬：")
    table(doc, ["类别", "排名", "单位", "得分", "主要成效"],
          ["{{ r.type }}", "{{ r.rank }}", "{{ r.unit }}", "{{ r.score }}", "{{ r.reason }}"], "praised",
          [16, 14, 32, 16, 78])
    para(doc, "{%p else %}")
    para(doc, "本期没有单位同时满足整改率、按时报送和无逾期问题的表扬条件。")
    para(doc, "{%p endif %}")
    para(doc, "三、点名批评单位", name=HEAD_FONT)
    para(doc, "{%p if criticised %}")
    para(doc, "以下单位工作推进缓慢，予以点名批评，请于下次月报时报送整改情况：")
    table(doc, ["类别", "排名", "单位", "存在问题"], ["{{ r.type }}", "{{ r.rank }}", "{{ r.unit }}", "{{ r.reason }}"],
          "criticised", [16, 14, 32, 94])
    para(doc, "{%p else %}")
    para(doc, "本期没有需要点名批评的单位。")
    para(doc, "{%p endif %}")
    loop("四、发现问题的主要类别", "categories")
    loop("五、月报报送情况", "reports")
    para(doc, "{%p if accountability %}")
    loop("六、以问责消除“微腐败”零空白", "accountability")
    para(doc, "{%p endif %}")
    loop("{{ '七' if accountability else '六' }}、下一步工作要求", "next_steps", numbered=True)
    sign_off(doc)
    doc.core_properties.title = "专项治理“微腐败”工作通报模板"
    doc.save(str(path))


if __name__ == "__main__":
    target = Path(__file__).with_name("bulletin.docx")
    build(target)
    print("wrote", target)
