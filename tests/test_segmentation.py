"""Segmentation: domain terms stay whole, backends by name, pickling, quiet import."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govreport_nlp import cut, get_segmenter
from govreport_nlp.errors import GovReportError, MissingDependencyError, ModelNotAvailableError
from govreport_nlp.segmentation import available_segmenters, domain_terms, stopwords

# sentences of our own, each using a domain term in running text
TERMS_IN_CONTEXT = {
    "放管服": "持续深化放管服改革取得新进展",
    "证照分离": "全面实施证照分离改革全覆盖",
    "一网通办": "企业开办实现一网通办和一日办结",
    "综合行政执法": "乡镇全面推行综合行政执法改革",
    "双随机一公开": "全面推行双随机一公开监管方式",
    "行政复议": "依法办理行政复议案件五十八件",
    "矛盾纠纷": "加强矛盾纠纷排查和化解工作",
    "枫桥经验": "坚持和发展新时代枫桥经验",
    "第一责任人": "主要负责人切实履行第一责任人职责",
    "最多跑一次": "深化最多跑一次改革便民利企",
    "诉源治理": "深入推进诉源治理工作",
    "营商环境": "持续优化法治化营商环境",
}


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_domain_terms_stay_whole_in_running_text(backend: str) -> None:
    seg = get_segmenter(backend)
    for term, sentence in TERMS_IN_CONTEXT.items():
        words = seg.cut(sentence)
        # whole: one token holds the term (新时代枫桥经验 is itself a dictionary term)
        assert any(term in w for w in words), (backend, term, words)


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_every_dictionary_term_survives_in_a_frame(backend: str) -> None:
    seg = get_segmenter(backend)
    broken = [t for t in domain_terms() if t not in seg.cut(f"我们要求{t}。")]
    assert not broken


def test_domain_dictionary_can_be_turned_off_and_extended() -> None:
    plain = get_segmenter("jieba", domain_dict=False)
    assert "双随机一公开" not in plain.cut("全面推行双随机一公开监管")
    custom = get_segmenter("jieba", user_words=["飞地库"])
    assert "飞地库" in custom.cut("建立涉外法治飞地库")


def test_char_segmenter_needs_nothing_and_keeps_numbers() -> None:
    seg = get_segmenter("char")
    assert seg.cut("办理12件，占比98.5%") == ["办", "理", "12", "件", "，", "占", "比", "98.5%"]


def test_tokenize_offsets_slice_back() -> None:
    text = "全面推行 行政执法三项制度，办结率达100%。"
    for name in ("jieba", "rjieba", "char"):
        for w, s, e in get_segmenter(name).tokenize(text):
            assert text[s:e] == w


def test_segmenters_pickle_as_configuration() -> None:
    seg = get_segmenter("jieba", user_words=["飞地库"])
    seg.cut("预热")  # build the backend first: it must not be in the pickle
    data = pickle.dumps(seg)
    assert len(data) < 1000
    back = pickle.loads(data)
    assert back == seg and back.cut("建立飞地库") == seg.cut("建立飞地库")
    assert get_segmenter(seg.config()) == seg


def test_unknown_segmenter_is_a_clear_error() -> None:
    with pytest.raises(GovReportError, match="unknown segmenter 'bert'"):
        get_segmenter("bert")
    assert set(available_segmenters()) >= {"jieba", "rjieba", "char", "hanlp"}


def test_jieba_cache_lives_in_the_user_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVREPORT_NLP_CACHE", str(tmp_path / "c"))
    seg = get_segmenter("jieba")
    seg.cut("依法行政")
    assert (tmp_path / "c" / "jieba.cache").exists()
    assert oct((tmp_path / "c").stat().st_mode & 0o777) == "0o700"


def test_function_api_shares_one_instance() -> None:
    assert cut("推进证照分离改革") == ["推进", "证照分离", "改革"]
    assert cut("依法", segmenter="char") == ["依", "法"]


def test_stopwords_keep_function_cues() -> None:
    sw = stopwords()
    assert "的" in sw and "下一步" not in sw and "问题" not in sw


def test_import_and_first_cut_print_nothing(tmp_path: Path) -> None:
    code = "import govreport_nlp as g; g.cut('深化放管服改革'); g.parse('一、回顾\\n正文。')"
    env = {**os.environ, "GOVREPORT_NLP_CACHE": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0
    assert out.stdout == "" and out.stderr == ""


# --- HanLP: optional backend, local model directories only unless asked -----------


def _hanlp_installed() -> bool:
    try:
        import hanlp  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(_hanlp_installed(), reason="hanlp is installed")
def test_hanlp_missing_extra_says_how_to_install() -> None:
    with pytest.raises(MissingDependencyError, match=r"pip install 'govreport-nlp\[hanlp\]'"):
        get_segmenter("hanlp").cut("依法行政")


@pytest.mark.skipif(not _hanlp_installed(), reason="needs the hanlp extra")
def test_hanlp_offline_identifier_fails_fast_with_instructions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANLP_HOME", str(tmp_path / "hanlp_home"))
    seg = get_segmenter("hanlp", model="COARSE_ELECTRA_SMALL_ZH")
    t0 = time.monotonic()
    with pytest.raises(ModelNotAvailableError) as err:
        seg.cut("依法行政")
    assert time.monotonic() - t0 < 10
    msg = str(err.value)
    assert "not on this machine" in msg and "model=" in msg and "\n" not in msg


@pytest.mark.skipif(not _hanlp_installed(), reason="needs the hanlp extra")
def test_hanlp_rejects_a_directory_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError, match="not a HanLP model directory"):
        get_segmenter("hanlp", model=str(tmp_path)).cut("依法行政")
    with pytest.raises(ModelNotAvailableError, match="neither a directory nor a known HanLP identifier"):
        get_segmenter("hanlp", model=str(tmp_path / "missing")).cut("依法行政")


def test_hanlp_adapter_loads_from_a_local_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter's contract with hanlp.load, checked with a stand-in tokenizer.

    A real HanLP model cannot be downloaded on the build machines, so this test
    replaces ``hanlp.load`` and checks what the adapter does around it: it passes
    the local directory on, keeps the Hugging Face libraries offline, batches, and
    drops whitespace tokens.
    """
    pytest.importorskip("hanlp")
    import hanlp

    model_dir = tmp_path / "tok_model"
    model_dir.mkdir()
    (model_dir / "meta.json").write_text("{}", encoding="utf-8")
    calls = []

    def fake_load(target: str, **kwargs: object):
        calls.append((target, kwargs, os.environ.get("HF_HUB_OFFLINE")))
        return lambda x: [list(s) + [" "] for s in x] if isinstance(x, list) else list(x) + [" "]

    monkeypatch.setattr(hanlp, "load", fake_load)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    seg = get_segmenter("hanlp", model=str(model_dir))
    assert seg.cut("依法") == ["依", "法"]
    assert seg.cut_many(["复议", "调解"]) == [["复", "议"], ["调", "解"]]
    assert calls == [(str(model_dir), {"devices": -1, "verbose": False}, "1")]


@pytest.mark.parametrize("name", ["jieba", "rjieba"])
def test_domain_terms_win_over_longer_general_words(name: str) -> None:
    seg = get_segmenter(name)
    # jieba's general word 化解矛盾 would cut the domain term 矛盾纠纷 in two
    assert seg.cut("化解矛盾纠纷") == ["化解", "矛盾纠纷"]
    assert "矛盾纠纷" in seg.cut("依法化解矛盾纠纷，深化放管服改革")
    assert [w for w, _, _ in seg.tokenize("积极化解矛盾纠纷")][-1] == "矛盾纠纷"
    # a user's word wins the same way, and offsets still slice back
    custom = get_segmenter(name, user_words=["飞地库"])
    text = "建设飞地库和矛盾纠纷调处中心"
    assert all(text[a:b] == w for w, a, b in custom.tokenize(text))
    assert "飞地库" in custom.cut(text)


def test_rjieba_loads_without_its_default_instance_and_a_later_import_still_works() -> None:
    import subprocess
    import sys

    code = ("import sys, govreport_nlp as gr\n"
            "assert gr.get_segmenter('rjieba').cut('推行证照分离') == ['推行', '证照分离']\n"
            "assert 'rjieba' not in sys.modules and 'rjieba.rjieba' in sys.modules\n"
            "import rjieba\n"
            "assert rjieba.cut('推行证照分离改革')[-1] == '改革'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-1500:]
