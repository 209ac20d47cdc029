"""Structure: paragraphs with exact offsets, headings, sections and roles, metadata."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from conftest import EXAMPLE
from govreport_nlp import parse
from govreport_nlp.structure import detect_heading, heading_role, inline_items

# section roles of the seed reports, read off their headings by a person
SEED_ROLES = {
    "seed-000": ["review", "plans"],
    "seed-001": ["review", "review", "shortcomings", "plans"],
    "seed-002": ["review", "shortcomings", "duties", "plans"],
    "seed-003": ["review", "shortcomings", "duties", "plans"],
    "seed-004": ["review", "plans"],
}
CLUTTER_WORDS = re.compile(r"扫一扫|索\s*引\s*号|访问次数|用户登录|立即注册|字体[:：]|打印|当前位置|发布日期|相关稿件")
FUNCTION_OF_ROLE = {"review": "review", "duties": "review", "shortcomings": "shortcoming", "plans": "plan"}


def _check_offsets(report) -> None:
    for p in report.paragraphs:
        assert report.text[p.start:p.end] == p.text
        assert p.text == p.text.strip() and p.text
    # nothing lost: outside the paragraphs there is only whitespace
    covered = set()
    for p in report.paragraphs:
        covered.update(range(p.start, p.end))
    assert all(c.isspace() or c in "\u200b\ufeff" for i, c in enumerate(report.text) if i not in covered)


@pytest.mark.parametrize("doc_id", sorted(SEED_ROLES))
def test_seed_sections_and_roles(seeds_by_id: dict, doc_id: str) -> None:
    report = parse(seeds_by_id[doc_id]["text"], id=doc_id)
    assert [s.role for s in report.sections] == SEED_ROLES[doc_id]
    assert all(s.cue for s in report.sections), "every seed heading states its role"
    _check_offsets(report)


def test_seed_paragraphs_hold_no_clutter(seeds: list[dict]) -> None:
    for d in seeds:
        report = parse(d["text"])
        for p in report.content:
            assert not CLUTTER_WORDS.search(p.text), (d["id"], p.text[:30])
        # and the clutter is still there, marked, not deleted
        assert any(p.kind == "clutter" for p in report.paragraphs) or d["id"] == "seed-004"


def test_gold_paragraphs_are_exactly_our_paragraphs(gold: list[dict], seeds_by_id: dict) -> None:
    reports = {i: parse(d["text"], id=i) for i, d in seeds_by_id.items()}
    agree = Counter()
    for g in gold:
        report = reports[g["doc_id"]]
        hits = [p for p in report.paragraphs if p.start == g["start"] and p.end == g["end"]]
        assert len(hits) == 1, (g["doc_id"], g["start"])
        p = hits[0]
        if g["function"] == "meta":
            assert p.kind == "meta"
        else:
            assert p.kind == "body"
            if g["function"] in ("review", "shortcoming", "plan"):
                agree[FUNCTION_OF_ROLE.get(p.role) == g["function"]] += 1
    # roles are evidence, not labels (a shortcoming may sit under a review heading)
    assert agree[True] / sum(agree.values()) >= 0.9


def test_seed_metadata_fields(seeds_by_id: dict) -> None:
    expect = {  # which fields each seed's page header carries
        "seed-000": {"title", "issuer", "date", "index_number"},
        "seed-001": {"issuer", "date", "index_number"},
        "seed-002": {"title", "issuer", "date"},
        "seed-003": {"title"},
        "seed-004": {"issuer", "date", "index_number"},
    }
    for doc_id, fields in expect.items():
        text = seeds_by_id[doc_id]["text"]
        md = parse(text).metadata
        for f in ("title", "issuer", "date", "index_number"):
            value = getattr(md, f)
            assert (value is not None) == (f in fields), (doc_id, f, value)
        if md.date:
            assert re.fullmatch(r"20\d\d-\d\d-\d\d", md.date)
            assert md.date in text
        if md.index_number:
            assert re.fullmatch(r"\w{6,}/20\d\d-\d+", md.index_number) and md.index_number in text
        if md.title:
            assert md.title in text.split("\n") and re.search("报告|总结", md.title)
        if md.issuer:
            assert md.issuer in text


def test_city_work_reports_review_then_plans(city_reports: list[dict]) -> None:
    with_plans = starts_with_review = with_sections = without = 0
    for d in city_reports:
        report = parse(d["text"], id=d["id"], meta={"year": d["year"]})
        _check_offsets(report)
        roles = [s.role for s in report.sections]
        if not roles:  # a few were published as one run-on line, or with their headings stripped
            without += 1
            continue
        with_sections += 1
        starts_with_review += roles[0] == "review"
        with_plans += "plans" in roles
    # a few reports announce neither their review nor their plans in a heading
    assert without <= 0.05 * len(city_reports)
    assert starts_with_review >= 0.95 * with_sections
    assert with_plans >= 0.9 * len(city_reports)


def test_national_reports_round_trip(national_reports: list[dict]) -> None:
    for d in national_reports:
        _check_offsets(parse(d["text"], id=d["id"]))


def test_example_report_structure() -> None:
    report = parse(EXAMPLE)
    md = report.metadata
    assert (md.title, md.issuer, md.date, md.document_number, md.index_number) == (
        "清河县人民政府关于2024年度法治政府建设情况的报告", "清河县人民政府", "2025-03-18",
        "清政报〔2025〕3号", "000000000/2025-00017")
    assert [(s.role, s.cue) for s in report.sections] == [
        ("review", "举措"), ("shortcomings", "存在的问题"), ("plans", "打算")]
    enforcement = next(p for p in report.paragraphs if p.text.startswith("2.落实"))
    assert enforcement.level == 3 and enforcement.title == "落实行政执法三项制度"
    assert enforcement.headings == ("2024年法治政府建设主要举措和成效", "推进综合行政执法改革，规范执法行为")
    kinds = Counter(p.kind for p in report.paragraphs)
    assert kinds == {"body": 12, "heading": 4, "meta": 5, "clutter": 3}


NUMBERING = """第一部分 总体情况
一、工作回顾
（一）组织领导
1.学法制度。全年学法12次，覆盖全部班子成员和部门负责人。
（1）会前学法。每次常务会议前安排专题学法，由法律顾问授课。
2、述法考核。所有部门主要负责人年终述法，结果纳入考核。
(二)执法改革。整合执法队伍，推进综合行政执法，规范执法程序和裁量基准。
二、
存在的问题
基层执法力量薄弱，执法人员专业素质有待提高，案卷质量参差不齐。
下一步工作打算
一是健全执法监督体系。二是加强执法人员培训。三是推进执法数字化。
"""


def test_numbering_styles_levels_and_inline_headings() -> None:
    report = parse(NUMBERING)
    rows = [(p.kind, p.level, p.marker, p.title) for p in report.paragraphs]
    assert rows == [
        ("heading", 1, "第一部分", "总体情况"),
        ("heading", 2, "一、", "工作回顾"),
        ("heading", 3, "（一）", "组织领导"),
        ("body", 4, "1.", "学法制度"),
        ("body", 5, "（1）", "会前学法"),
        ("body", 4, "2、", "述法考核"),
        ("body", 3, "(二)", "执法改革"),
        ("heading", 2, "二、", "存在的问题"),
        ("heading", 2, "二、", "存在的问题"),  # marker alone on its line; title on the next
        ("body", None, None, None),
        ("heading", 2, None, "下一步工作打算"),  # un-numbered: top level inside the part
        ("body", None, None, "健全执法监督体系"),
    ]
    assert [p.role for p in report.paragraphs][-4:] == ["shortcomings", "shortcomings", "plans", "plans"]
    last = report.paragraphs[-1]
    assert [report.text[s:e] for s, e in last.items] == ["一是健全执法监督体系。", "二是加强执法人员培训。", "三是推进执法数字化。"]


def test_heading_shares_its_line_with_the_body() -> None:
    h = detect_heading("(二)深化\"放管服\"改革,依法加快政府职能转变。一是推进审批改革。二是优化政务服务。")
    assert h and not h.standalone and h.title == "深化\"放管服\"改革,依法加快政府职能转变"
    assert detect_heading("2023年全市地区生产总值增长5.2%。") is None
    assert detect_heading("1.5万人次参加了普法活动。") is None


@pytest.mark.parametrize("title, role", [
    ("存在的困难和问题", "shortcomings"), ("存在不足和原因", "shortcomings"), ("下一步工作思路", "plans"),
    ("2025年工作打算", "plans"), ("主要举措和成效", "review"), ("2023年工作回顾", "review"),
    ("县长履行推进法治政府建设第一责任人职责情况", "duties"), ("全面加强政府自身建设", None),
])
def test_heading_roles(title: str, role: str | None) -> None:
    got = heading_role(title)
    assert (got[0] if got else None) == role


def test_uncued_sections_before_plans_are_review() -> None:
    text = ("各位代表：\n这一年里，我们着重抓了以下几项工作。\n（一）着力稳增长，经济运行回升向好。全年地区生产总值增长百分之五。\n"
            "（二）着力优服务，营商环境持续改善。企业开办实现一网通办。\n二、2025年工作安排\n今年要重点做好以下工作。\n")
    report = parse(text)
    assert [(s.role, s.cue) for s in report.sections] == [("review", None), ("review", None), ("plans", "安排")]


def test_run_on_line_is_cut_at_sentence_ends_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    text = "各位代表：现在我代表市人民政府报告工作。一、2023年工作回顾。" + "全年经济平稳运行。" * 500
    with caplog.at_level("WARNING", logger="govreport_nlp"):
        report = parse(text)
    assert [r.getMessage() for r in caplog.records] == report.warnings  # logged too, for Python callers
    assert len(report.paragraphs) == 5 and "".join(p.text for p in report.paragraphs) == text
    assert all(len(p.text) <= 1000 and p.text.endswith("。") for p in report.paragraphs)
    assert len(report.warnings) == 1 and "cut at sentence ends into 5 paragraphs" in report.warnings[0]
    short = "全年经济平稳运行。" * 300  # 2,700 characters: a long paragraph, not cut
    assert len(parse(short).paragraphs) == 1 and not parse(short).warnings


def test_inline_items_need_two_or_a_leading_one() -> None:
    assert inline_items("我们一是不够重视这件事。") == []
    assert len(inline_items("一是加强领导。")) == 1


def test_heading_spans_slice_to_their_titles(seeds: list[dict]) -> None:
    for text in [d["text"] for d in seeds] + [NUMBERING, EXAMPLE.read_text(encoding="utf-8")]:
        report = parse(text)
        assert report.headings
        for h in report.headings:
            assert report.text[h.start:h.end] == h.title


def test_a_heading_that_names_a_review_and_a_plan_is_read_part_by_part() -> None:
    text = ("一、过去五年发展成就和今后五年主要目标任务\n"
            "这五年，我们坚持依法行政，法治政府建设不断加强，办理行政复议案件1200件。\n"
            "这五年，我们深化放管服改革，企业开办时间压缩到1天。\n"
            "今后五年，经济社会发展的主要目标是：法治政府基本建成，营商环境达到一流水平。\n"
            "（一）持续深化放管服改革\n推行证照分离，全面实行告知承诺。")
    report = parse(text)
    assert [p.role for p in report.paragraphs] == ["review", "review", "review", "plans", "plans", "plans"]
    assert report.sections[0].role == "review"
    # the period the heading names for its second part opens it (a year, 十X五, 今后)
    report = parse("一、2025年工作回顾和2026年工作的总体要求\n全年办理行政复议案件58件。\n"
                   "各位代表！2026年，我们将坚持依法行政，持续优化营商环境。\n推行证照分离。")
    assert [p.role for p in report.paragraphs] == ["review", "review", "plans", "plans"]
    assert heading_role("六五计划前两年的执行情况")[0] == "review"
    assert heading_role("二、重点做好以下工作")[0] == "plans"


def test_the_delivery_year_decides_an_ambiguous_heading() -> None:
    text = ("（2024年1月20日在澄溪县第十八届人民代表大会第三次会议上）\n一、2023年主要工作\n"
            "全年办理行政复议案件58件，审结52件。\n二、2024年主要工作\n持续深化诉源治理，把矛盾化解在基层。")
    report = parse(text)
    assert report.paragraphs[0].kind == "meta"
    assert [s.role for s in report.sections] == ["review", "plans"]


def test_a_section_whose_slogan_heading_names_no_role_is_read_by_its_wording() -> None:
    review = "一、2023年工作回顾\n全年累计办结复议案件58件，调解成功率达到97%，已完成年度目标。\n"
    tasks = ("二、进一步扩大对外开放\n要持续深化改革，加快推进开放平台建设，确保外贸稳中提质。\n"
             "要进一步优化营商环境，着力推动政务服务提速，努力争取更多项目落地。\n")
    report = parse(review + tasks)
    assert [s.role for s in report.sections] == ["review", "plans"] and report.sections[1].cue is None
    # a slogan heading over work done stays review
    done = "二、持续深化放管服改革\n全年累计取消审批事项23项，完成证照分离改革，企业开办时间已压缩到1天。\n"
    assert [s.role for s in parse(review + done).sections] == ["review", "review"]
