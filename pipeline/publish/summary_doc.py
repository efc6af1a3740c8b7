"""The Word summary in the bulletin's style: figures turned into sentences, rendered from templates/summary.docx."""
from __future__ import annotations

from pathlib import Path

from schemas.vocab import NATURES
from ..campaign.summary import BY_GROUP, OTHER, SELF, Summary
from ..config import Config
from .bulletin import cn_date, pct, safe_context
from .summary_book import span_text


def _lines(title: str) -> list[str]:
    """Two centred title lines, broken after 工作 when the title is long."""
    if len(title) <= 20 or "工作" not in title:
        return [title, ""]
    cut = title.index("工作") + 2
    return [title[:cut], title[cut:]]


def summary_context(s: Summary, config: Config) -> dict:
    g, c = s.figures, config.campaign
    overall = [
        f"{span_text(s)}，全区各街道、各部门和各专项治理小组共检查基层单位{g['inspected']}个，开展检查{g['inspections']}次，"
        f"发现问题{g['found']}个，其中违纪违法问题{g['cases']}个。",
        f"截至{cn_date(s.span.end)}，上述问题已整改销号{g['closed']}个，整改率{pct(g['rate'])}；尚未销号{g['open']}个，"
        f"其中逾期未完成整改{g['overdue']}个。期间共整改销号问题{g['closed_in_span']}个（含此前发现的问题）。",
    ]
    cats = s.by_category[s.by_category["合计"] > 0].sort_values("合计", ascending=False, kind="stable")
    categories = []
    if len(cats):
        parts = [f"{r.治理类别}{int(r.合计)}个（违纪违法{int(getattr(r, NATURES[0]))}个、一般问题{int(getattr(r, NATURES[1]))}个、"
                 f"隐患风险{int(getattr(r, NATURES[2]))}个，整改率{pct(r.整改率)}）" for r in cats.itertuples(index=False)]
        categories.append("按治理类别分：" + "；".join(parts) + "。")
        natures = [f"{n}{int(s.by_category[n].sum())}个" for n in NATURES[:-1]]
        categories.append("按问题性质分：" + "、".join(natures) + "。违纪违法问题要依纪依法严肃查处，一般问题要及时教育纠正，"
                          "隐患风险要完善制度、加强防范。")
    else:
        categories.append("期间未发现问题。")
    src = s.by_source.set_index("来源")
    sources = [
        f"从发现渠道看，各单位自查自纠发现问题{int(src.at[SELF, '问题数'])}个（占{pct(src.at[SELF, '占比'])}），"
        f"专项治理小组督查发现{int(src.at[BY_GROUP, '问题数'])}个（占{pct(src.at[BY_GROUP, '占比'])}），"
        f"其他单位检查发现{int(src.at[OTHER, '问题数'])}个。"
    ]
    if len(s.by_method):
        sources.append("按检查方式分：" + "、".join(f"{r.检查方式}{int(r.问题数)}个" for r in s.by_method.itertuples(index=False)) + "。")
    units = s.by_unit[s.by_unit["发现问题数"] > 0].sort_values(["发现问题数"], ascending=False, kind="stable")
    zero = s.by_unit[s.by_unit["发现问题数"] == 0]["单位"].tolist()
    unit_notes = []
    if zero:
        unit_notes.append(f"期间未发现问题的单位{len(zero)}个：{'、'.join(zero)}。要深入排查，严防“零空白”。")
    groups = [f"{r.专项治理小组}检查基层单位{int(r.检查基层单位数)}个，发现问题{int(r.发现问题数)}个，已督促整改销号{int(r.已销号数)}个"
              f"（整改率{pct(r.整改率)}）" for r in s.by_group.itertuples(index=False) if r.检查次数]
    group_paras = ["各专项治理小组：" + "；".join(groups) + "。"] if groups else ["期间各专项治理小组未报送检查记录。"]
    return safe_context({
        "office": c.office, "issuer": c.issuer, "title": s.span.title, "title_lines": _lines(s.span.title),
        "span": span_text(s), "date": cn_date(s.as_of), "district": c.district,
        "overall": overall, "categories": categories, "sources": sources, "unit_notes": unit_notes,
        "units": [{"unit": r.单位, "type": r.单位类型, "found": int(r.发现问题数), "self": int(r.自查发现数),
                   "closed": int(r.已销号数), "rate": pct(r.整改率), "overdue": int(r.逾期未完成数)}
                  for r in units.itertuples(index=False)],
        "groups": group_paras,
        "next_steps": [
            "对尚未销号的问题逐项明确责任人和完成时限，实行销号管理，逾期未完成的要说明原因、限期整改。",
            "对违纪违法问题线索依纪依法严肃处理，对反复发生、易发多发的问题实行“一案双查”。",
            "针对问题集中的领域，举一反三，建章立制，从源头上防治“微腐败”。",
        ],
    })


def render_summary_docx(context: dict, template_dir: Path, path: Path) -> None:
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(template_dir / "summary.docx"))
    doc.render(context, autoescape=True)
    doc.save(str(path))
