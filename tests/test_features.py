"""Content and context features."""

from __future__ import annotations

import pickle

import numpy as np
from sklearn.base import clone

import govreport_nlp as gr
from govreport_nlp.features import ParagraphFeatures, as_input, context_features, lexicon, opening, report_inputs

TEXTS = ["（一）深化放管服改革。推行证照分离，压减审批时限。", "加强行政复议应诉，做好人民调解。",
         "下一步，我们将继续规范行政执法。", "全县地区生产总值增长百分之五。"]


def test_features_are_content_only_and_stable() -> None:
    f = ParagraphFeatures(min_df=1).fit(TEXTS)
    with_ctx = {"text": TEXTS[0], "role": "plans", "headings": ["下一步工作打算"], "cued": True}
    # the featurizer reads the words only: context changes nothing here
    assert (f.transform([with_ctx]) != f.transform([TEXTS[0]])).nnz == 0
    X = f.transform(TEXTS)
    assert X.shape == (4, f.n_features_out_) == (4, len(f.get_feature_names_out()))
    groups = f.feature_groups_
    assert groups["word"][0] == 0 and groups["cue"][1] == f.n_features_out_
    names = list(f.get_feature_names_out())
    assert "w:证照分离" in names and "kw:deregulation" in names


def test_numbers_are_normalised() -> None:
    f = ParagraphFeatures(min_df=1).fit(["办理案件12件。", "办理案件345件。"])
    a, b = f.transform(["办理案件12件。"]), f.transform(["办理案件98件。"])
    assert np.allclose(a.toarray(), b.toarray())


def test_clone_and_pickle_keep_params_not_backends() -> None:
    f = ParagraphFeatures(segmenter="char", min_df=1)
    assert clone(f).get_params() == f.get_params()
    f.fit(TEXTS)
    g = pickle.loads(pickle.dumps(f))
    assert "_seg_cache" not in g.__dict__
    assert (g.transform(TEXTS) != f.transform(TEXTS)).nnz == 0


def test_context_features() -> None:
    ctx = context_features({"text": "…", "role": "shortcomings", "cued": True, "headings": ["存在的问题和不足"],
                            "position": 0.7, "last": False})
    assert ctx["role=shortcomings"] == 1.0 and ctx["cued_role=shortcomings"] == 1.0
    assert ctx["hcue:shortcoming"] == 1.0 and ctx["pos=3"] == 1.0
    assert context_features({"text": "只有文字"}) == {"ctx=none": 1.0}


def test_report_inputs_carry_structure() -> None:
    r = gr.parse("前言一段，说明本年度的总体情况和主要做法。\n一、存在的不足\n执法力量还不够充足，培训覆盖面有待扩大。\n"
                 "二、下一步打算\n继续推进执法规范化建设。\n让我们共同努力，把各项工作做得更好。")
    xs = report_inputs(r)
    assert [x["role"] for x in xs] == ["preamble", "shortcomings", "shortcomings", "plans", "plans", "plans"]
    assert xs[2]["headings"] == ["存在的不足"] and xs[2]["cued"] is True
    assert xs[-1]["last"] and not xs[0]["last"]
    assert 0 < xs[0]["position"] < xs[-1]["position"] < 1


def test_as_input_rejects_what_it_cannot_read() -> None:
    import pytest

    with pytest.raises(gr.GovReportError):
        as_input({"no_text": 1})
    with pytest.raises(gr.GovReportError):
        as_input(3.5)  # type: ignore[arg-type]


def test_lexicon_and_opening() -> None:
    lex = lexicon()
    assert lex.topic_hits("推进一网通办和证照分离")["deregulation"] == 2
    assert "shortcoming" in lex.function_cues("同时我们也清醒看到，工作中还有短板。")
    assert "plan" in lex.function_cues("2025年，我县将继续推进依法行政。")
    assert opening("（二）压实责任。", 4) == "压实责任"


# --- the fast path reproduces scikit-learn ------------------------------------

def _corpus_paragraphs(reports: list[dict], step: int = 7) -> list[str]:
    return [line for r in reports for line in r["text"].split("\n") if line.strip()][::step]


def _sklearn_reference(f: ParagraphFeatures, texts: list[str]):
    """What the featurizer computed before the numpy lookup: scikit-learn's own transforms."""
    import scipy.sparse as sp

    a = f.analyze(texts)
    return sp.hstack([f.word_vectorizer_.transform([" ".join(w) for w in a.words]),
                      f.char_vectorizer_.transform(a.norm),
                      f.dict_vectorizer_.transform(a.cues) * np.float32(f.lexicon_weight)], format="csr")


def test_fast_transform_equals_sklearn_on_the_corpus(city_reports: list[dict], national_reports: list[dict]) -> None:
    texts = _corpus_paragraphs(city_reports + national_reports)
    assert len(texts) > 2000
    model = gr.load_model()
    for head in model.heads.values():
        f = head.features_
        fast, ref = f.transform(texts), _sklearn_reference(f, texts)
        assert fast.shape == ref.shape and fast.nnz == ref.nnz
        assert abs(fast - ref).max() < 1e-6


def test_fast_transform_equals_sklearn_for_other_ngram_ranges(seeds: list[dict]) -> None:
    texts = _corpus_paragraphs(seeds, step=1)
    f = ParagraphFeatures(segmenter="char", word_ngram_range=(1, 3), char_ngram_range=(1, 4), min_df=1).fit(texts)
    other = ["全新的句子，包含训练中没有的字：龘靐。", "", "  空白  很多   的  行  "]
    for batch in (texts, other):
        assert abs(f.transform(batch) - _sklearn_reference(f, batch)).max() < 1e-6


def test_key_index_finds_exactly_the_keys_it_holds() -> None:
    from govreport_nlp.features import _KeyIndex

    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 2**62, 5000))
    rng.shuffle(keys)
    index = _KeyIndex(keys)
    assert (index.find(keys) == np.arange(len(keys))).all()
    others = np.setdiff1d(rng.integers(0, 2**62, 5000), keys)
    assert (index.find(others) == -1).all()
    assert (_KeyIndex(np.zeros(0, dtype=np.int64)).find(keys[:3]) == -1).all()


def test_text_batch_analyses_each_distinct_text_once() -> None:
    from govreport_nlp.features import TextBatch

    xs = [{"text": "推行证照分离。", "headings": ["深化放管服改革"]}, {"text": "推行证照分离。", "headings": []},
          {"text": "深化放管服改革", "headings": ["深化放管服改革"]}]
    b = TextBatch(xs)
    assert b.texts == ["推行证照分离。", "深化放管服改革"]
    assert b.rows.tolist() == [0, 0, 1] and b.head_rows.tolist() == [1, -1, 1]
    f = ParagraphFeatures(min_df=1)
    assert b.analysis(f) is b.analysis(ParagraphFeatures(min_df=1))  # same settings: shared


def test_topic_hits_count_every_keyword_on_the_corpus(city_reports: list[dict]) -> None:
    lex = lexicon()
    for text in _corpus_paragraphs(city_reports, step=5):
        naive = {t: sum(text.count(w) for w in words) for t, words in lex.topics.items()}
        assert lex.topic_hits(text) == {t: n for t, n in naive.items() if n}


def test_topic_counts_of_many_texts_equal_topic_hits_text_by_text(city_reports: list[dict]) -> None:
    # the array matcher against str.count, on real lines (and the empty text, one-character texts, the end)
    lex = lexicon()
    texts = [line for d in city_reports[:25] for line in d["text"].splitlines()] + ["", "证", "推行证照分离"]
    counts = lex.topic_counts(texts)
    topics = list(lex.topics)
    expected = np.zeros_like(counts)
    for i, t in enumerate(texts):
        for topic, n in lex.topic_hits(t).items():
            expected[i, topics.index(topic)] = n
    assert expected.sum() > 1000 and (counts == expected).all()
    assert lex.topic_counts([]).shape == (0, len(topics))


def test_the_keywords_the_cues_found_are_those_a_reason_would_search_for(city_reports: list[dict]) -> None:
    # reasons name a paragraph's keywords from the cues' hits instead of searching it again: the same words
    from govreport_nlp.features import Analyzer
    from govreport_nlp.reasons import _keywords_in

    texts = [line for d in city_reports[:10] for line in d["text"].splitlines()] + ["", "证", "推行证照分离"]
    hits = Analyzer().cue_batch(texts).keywords
    assert hits is not None
    named = 0
    for i, text in enumerate(texts):
        for topic in lexicon().topics:
            assert hits.of(i, topic) == _keywords_in(topic, text)
            named += len(hits.of(i, topic))
    assert named > 500
    assert Analyzer().cue_batch([]).keywords is not None and Analyzer(use_lexicon=False).cue_batch(["证照分离"]).keywords is None


def test_cue_rows_equal_the_named_cues_and_the_text_by_text_definitions(city_reports: list[dict]) -> None:
    from govreport_nlp.features import Analyzer, _norm, dicts_to_rows, tense_counts

    texts = [line for d in city_reports[:12] for line in d["text"].splitlines()]
    texts += ["", "（一）", "  1. 下一步将深化诉源治理。", "各位代表：", "让我们携手奋进！"]
    analyzer = Analyzer(use_tense=True)
    cues = analyzer.cue_batch(texts)
    dicts = cues.dicts()
    lex = lexicon()
    for t, d in zip(texts[::7], dicts[::7]):  # each part against its one-text definition
        assert {k[3:]: round(v, 9) for k, v in d.items() if k.startswith("kw:")} == \
            {k: round(float(np.log1p(n)), 9) for k, n in lex.topic_hits(t).items()}
        assert {k[6:] for k in d if k.startswith("tense:")} == set(tense_counts(t))
        assert {k[4:] for k in d if k.startswith("cue:")} == set(lex.function_cues(t))
        lead = _norm(opening(t, 8))
        assert {k[5:] for k in d if k.startswith("open:")} == {lead[i:i + n] for n in (1, 2, 3)
                                                               for i in range(len(lead) - n + 1)}
    vocabulary = {name: i for i, name in enumerate(sorted({k for d in dicts for k in d} | {"open:不在"}))}
    fast = cues.rows(vocabulary, len(vocabulary)).toarray()
    slow = dicts_to_rows(dicts, vocabulary, len(vocabulary)).toarray()
    assert fast.shape == slow.shape and np.array_equal(fast, slow)
    assert analyzer.cues(texts[0]) == dicts[0]


def test_word_ids_from_tokens_equal_those_of_the_filtered_words(seeds: list[dict]) -> None:
    # a model looks each token up once (read or not, and its id); the featurizer filters words first
    from govreport_nlp.features import Analyzer, NgramTable

    lines = [line for d in seeds for line in d["text"].splitlines()] + ["", "  ", "我们 的 工作"]
    a = Analyzer().analyze(lines)
    terms = sorted({w for ws in a.words for w in ws})[::3] + ["不在词表"]
    table = NgramTable(terms, None, (1, 2), " ", sublinear=False, norm=None)
    fast, slow = table.token_ids(a.tokens), table.word_ids(a.words)
    assert all(np.array_equal(x, y) for x, y in zip(fast, slow)) and len(fast[0]) > 1000
    assert a.words_of(3) == a.words[3]


def test_tokens_with_white_space_inside_are_split_as_the_vectorizer_splits_them() -> None:
    from govreport_nlp.features import NgramTable, _word_filter

    tokens = [["推行", "证照 分离", "改革"], ["a\u3000b", "。", "调解"], []]
    words = _word_filter()(tokens)
    assert words == [["推行", "证照", "分离", "改革"], ["a", "b", "调解"], []]
    table = NgramTable(["证照", "分离", "证照 分离", "调解"], None, (1, 2), " ", sublinear=False, norm=None)
    fast, slow = table.token_ids(tokens), table.word_ids(words)
    assert all(np.array_equal(x, y) for x, y in zip(fast, slow))


def test_direct_lookups_count_what_the_hash_table_counts() -> None:
    # word unigrams and character bigrams are looked up in arrays indexed by their key: same counts
    from govreport_nlp.features import NgramTable

    rng = np.random.default_rng(0)
    for _ in range(20):
        chars = [chr(0x4E00 + i) for i in range(int(rng.integers(3, 40)))]
        terms = sorted({"".join(rng.choice(chars, int(rng.integers(1, 4)))) for _ in range(int(rng.integers(1, 300)))})
        hashed = NgramTable(terms, None, (1, 3), "", sublinear=False, norm=None)
        direct = NgramTable(terms, None, (1, 3), "", sublinear=False, norm=None).look_up_directly()
        assert set(direct._direct) == {1, 2, 3} & {n for n in (1, 2, 3) if direct.base ** n <= 1 << 23}
        codes = np.array([ord(c) for c in "".join(rng.choice(chars + ["x"], 400))], dtype=np.int64)
        rows = np.repeat(np.arange(4), 100)
        a = hashed.counts(hashed.code_ids(codes), rows, 4)
        b = direct.counts(direct.code_ids(codes), rows, 4)
        assert np.array_equal(a.toarray(), b.toarray())
        again = NgramTable.from_state(direct.state(), "")  # kept with the state: not built again
        assert set(again._direct) == set(direct._direct)
        assert all(np.array_equal(again._direct[n], direct._direct[n]) for n in direct._direct)
