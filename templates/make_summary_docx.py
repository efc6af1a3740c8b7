"""Build templates/summary.docx, the Word template of phase/quarter/week summaries, in the bulletin's style.

Staff may edit summary.docx directly in Word/WPS (keep the {{ ... }} and {%p ... %} tags); this
script only recreates it from scratch:  .venv/bin/python templates/make_summary_docx.py
"""
import sys
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

sys.path.insert(0, str(Path(__file__).parent))
from make_bulletin_docx import (HEAD_FONT, RED, TITLE_FONT, official_document, para, paragraphs,  # noqa: E402
                                red_rule, sign_off, table)


def build(path: Path) -> None:
    doc = official_document()

    para(doc, "{{ office }}", name=TITLE_FONT, size=20, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, color=RED, exact=40)
    red_rule(para(doc, "", indent=False, exact=12))
    para(doc, "", indent=False)
    para(doc, "{{ title_lines[0] }}", name=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=36)
    para(doc, "{{ title_lines[1] }}", name=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=36)
    para(doc, "", indent=False)
    para(doc, "按照专项治理“微腐败”工作实施方案“分类分层次做好归纳统计”的要求，现将{{ span }}工作情况总结如下。")

    def loop(heading: str, name: str, numbered: bool = False) -> None:
        paragraphs(doc, heading, name, numbered)

    loop("一、总体情况", "overall")
    loop("二、问题分类情况", "categories")
    loop("三、自查自纠与督查检查情况", "sources")
    para(doc, "四、各单位情况", name=HEAD_FONT)
    para(doc, "{%p if units %}")
    para(doc, "期间发现问题的街道和部门如下（按发现问题数排列）：")
    table(doc, ["单位", "类别", "发现问题", "其中自查", "已销号", "整改率", "逾期"],
          ["{{ r.unit }}", "{{ r.type }}", "{{ r.found }}", "{{ r.self }}", "{{ r.closed }}", "{{ r.rate }}", "{{ r.overdue }}"],
          "units", [40, 16, 20, 20, 20, 20, 20])
    para(doc, "{%p endif %}")
    para(doc, "{%p for para in unit_notes %}")
    para(doc, "{{ para }}")
    para(doc, "{%p endfor %}")
    loop("五、专项治理小组督查情况", "groups")
    loop("六、下一步工作", "next_steps", numbered=True)
    sign_off(doc)
    doc.core_properties.title = "专项治理“微腐败”工作阶段总结模板"
    doc.save(str(path))


if __name__ == "__main__":
    target = Path(__file__).with_name("summary.docx")
    build(target)
    print("wrote", target)
