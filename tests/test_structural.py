"""What the structure decides by itself: numbered sentences are content, furniture and metadata are
``meta``/``other`` wherever they sit, headings do what their section does and name only their own topics.

The reports here are written for these tests (fictional governments); the corpus checks count lines.
"""

from __future__ import annotations

from collections import Counter

import pytest

import govreport_nlp as gr
from govreport_nlp.structural import heading_topics, structural_prediction
from govreport_nlp.structure import detect_heading, reads_as_sentence

# a report of our own: numbered result lines, a heading per role, furniture at head and foot
REPORT = """首页 > 政务公开 > 法治政府建设
澄溪县2024年法治政府建设年度报告
2025年3月1日
2024年，澄溪县坚持以习近平法治思想为指导，认真落实法治政府建设实施纲要，各项工作取得新进展。现将有关情况报告如下：
一、主要举措和成效
（一）深化“放管服”改革
1.推行证照分离改革，全年办理告知承诺事项156项。
2.推进一网通办，政务服务事项网上可办率达到98%。
3.开展涉企经营许可清理，取消证明材料41项；
（二）规范行政执法
县司法局组织开展执法案卷评查两次，共评查案卷320卷，发现问题23个，已全部督促整改到位。
（三）化解矛盾纠纷
全县各级调解组织排查化解矛盾纠纷1326件，调解成功率达到97%，行政复议案件审结率100%。
二、存在的问题
一是基层执法队伍力量不足，专业人员比例偏低；二是部分单位合法性审查流于形式，质量有待提高。
三、下一步工作打算
持续化解矛盾纠纷，深化诉源治理，把矛盾化解在基层，力争全县信访总量下降10%以上。
扫一扫在手机上查看当前页面
打印本页 关闭窗口
【收藏】【分享到】
相关解读
相关政策
相关稿件：澄溪县召开法治政府建设推进会
上一篇：澄溪县2023年法治政府建设年度报告
下一篇：澄溪县2025年普法工作要点
网站地图 | 联系我们
主办单位：澄溪县人民政府办公室
承办：澄溪县大数据中心
浙ICP备00000000号-1
字号：大 中 小
访问量：1234"""

FURNITURE_FROM = "扫一扫在手机上查看当前页面"


@pytest.fixture(scope="module")
def classified() -> gr.Report:
    return gr.load_model().classify_report(REPORT)


def _line(report: gr.Report, start: str) -> gr.Paragraph:
    return next(p for p in report.paragraphs if p.text.startswith(start))


# --- 1. numbered sentences are content --------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "1.推行证照分离改革，全年办理告知承诺事项156项。",
    "2.推进一网通办，政务服务事项网上可办率达到98%。",
    "3.开展涉企经营许可清理，取消证明材料41项；",
    "（2）全年培训执法人员1200人次。",
    "二、从增加供给和改善服务两方面入手，推动基层执法力量下沉，努力使群众办事更加方便快捷；",
])
def test_numbered_sentence_is_content(line: str) -> None:
    report = gr.parse("一、工作回顾\n" + line)
    p = report.paragraphs[1]
    assert p.kind == "body" and p in report.body
    assert len(report.sections) == 1  # a numbered sentence opens no section
    assert detect_heading(line).sentence


@pytest.mark.parametrize("line", [
    "（一）深化“放管服”改革",
    "（十）坚定不移维护安全稳定，筑牢平安建设屏障。",
    "一、坚持在全面推进依法行政上精准发力，加快建设更高水平的法治政府",
    "（三）坚持党的领导。",
    "一、2024年工作回顾",
])
def test_short_title_stays_a_heading(line: str) -> None:
    report = gr.parse(line + "\n全年办理行政复议案件58件，审结52件，调解和解率提高到38%。")
    assert report.paragraphs[0].kind == "heading"
    assert not reads_as_sentence(detect_heading(line).title or "")


def test_numbered_results_count_in_the_shares(classified: gr.Report) -> None:
    body = {p.text[:2] for p in classified.body}
    assert {"1.", "2.", "3."} <= body
    shares = gr.label_shares([classified], min_chars=0)
    assert shares["doc"]["deregulation"] >= 2 / len(classified.body)


# --- 2. furniture is meta / other, never in the body ------------------------------------------------

def test_furniture_is_meta_other_wherever_it_sits(classified: gr.Report) -> None:
    start = next(i for i, p in enumerate(classified.paragraphs) if p.text == FURNITURE_FROM)
    foot = classified.paragraphs[start:]
    assert len(foot) == 14
    for p in foot + [classified.paragraphs[0]]:
        assert p.kind == "clutter", p.text
        assert p not in classified.body
        assert (p.prediction.label, p.prediction.function) == ("other", "meta"), p.text
        assert p.prediction.topics == ()


def test_metadata_lines_are_meta(classified: gr.Report) -> None:
    for start in ("澄溪县2024年法治政府建设年度报告", "2025年3月1日"):
        p = _line(classified, start)
        assert p.kind == "meta" and p.prediction.function == "meta" and p.prediction.label == "other"


def test_a_date_line_inside_the_report_is_metadata() -> None:
    report = gr.parse("一、工作回顾\n全年办理行政复议案件58件，审结52件，调解和解率提高到38%。\n2025年3月1日\n"
                      "二、下一步工作打算\n持续深化诉源治理，力争矛盾纠纷化解率达到98%以上。")
    assert report.paragraphs[2].kind == "meta"


# --- 3. headings: the section's function, topics from their own words ---------------------------------

def test_headings_take_their_sections_function(classified: gr.Report) -> None:
    want = {"一、主要举措和成效": ("review", ()), "（一）深化“放管服”改革": ("review", ("deregulation",)),
            "（二）规范行政执法": ("review", ("enforcement",)), "（三）化解矛盾纠纷": ("review", ("dispute",)),
            "二、存在的问题": ("shortcoming", ()), "三、下一步工作打算": ("plan", ())}
    for text, (function, topics) in want.items():
        pred = _line(classified, text).prediction
        assert (pred.function, pred.topics) == (function, topics), text
    assert _line(classified, "一、主要举措和成效").prediction.label == "other"
    assert _line(classified, "（一）深化").prediction.label == "deregulation"
    assert _line(classified, "二、存在的问题").prediction.label == "shortcomings"


def test_a_dated_review_heading_is_review_not_meta() -> None:
    report = gr.load_model().classify_report("一、2022年法治政府建设情况\n全年办理行政复议案件58件，审结52件。\n"
                                             "二、2023年工作安排\n持续深化诉源治理，把矛盾化解在基层。")
    assert [p.prediction.function for p in report.paragraphs if p.kind == "heading"] == ["review", "plan"]


def test_heading_topics_come_from_its_words_only() -> None:
    assert heading_topics("一、主要举措和成效") == ()
    assert heading_topics("（四）加强矛盾纠纷预防化解，推进诉源治理") == ("dispute",)
    assert heading_topics("（二）深化“放管服”改革，优化营商环境") == ("deregulation",)


def test_a_model_without_a_function_head_keeps_its_heading_labels() -> None:
    report = gr.parse("一、工作回顾\n全年办理行政复议案件58件。")
    assert structural_prediction(report.paragraphs[0], report, derive=None) is None


# --- the real corpus: furniture and headings are decided the same way everywhere ---------------------

def test_corpus_furniture_and_headings(seeds: list, city_reports: list) -> None:
    model = gr.load_model()
    kinds: Counter[str] = Counter()
    for doc in seeds + city_reports[:30]:
        report = model.classify_report(doc["text"], reasons=0)
        for p in report.paragraphs:
            kinds[p.kind] += 1
            if p.kind in ("meta", "clutter"):
                assert (p.prediction.label, p.prediction.function) == ("other", "meta")
            if p.kind == "heading" and p.role in ("review", "plans", "shortcomings"):
                assert p.prediction.function == {"review": "review", "plans": "plan",
                                                  "shortcomings": "shortcoming"}[p.role]
                assert set(p.prediction.topics) <= set(heading_topics(p.title or p.text))
    assert kinds["heading"] > 100 and kinds["body"] > 1000
