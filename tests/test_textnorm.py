"""Values read as a person types them, as the contract spells out."""
import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.textnorm import Unparsed, cell_name, clean_number_key, clean_number_keys, clean_text, clean_texts, nfkc, number_key, parse_date, parse_month, parse_number, strip_category_prefix


@pytest.mark.parametrize("typed", ["自检3号", "自检 ００３", "自检003号", " 自检３ 号", "自检03"])
def test_numbers_that_are_the_same(typed):
    assert number_key(typed) == "自检3"


@given(st.lists(st.lists(st.sampled_from(["自检", "督查", "0", "3", "号", " ", "00", "\0", "٣"]), max_size=6).map("".join),
                max_size=8))
@settings(max_examples=400, deadline=None)
def test_a_column_of_numbers_keyed_at_once_is_each_keyed(numbers):
    """A sheet's 编号 keyed together come out as each keyed alone: a trailing 号 or leading zeros of
    one never reach into the next."""
    assert clean_number_keys(numbers) == [clean_number_key(number) for number in numbers]


def test_numbers_that_differ():
    assert number_key("自检30号") != number_key("自检3号")
    assert number_key("督查3号") != number_key("自检3号")


@pytest.mark.parametrize("typed", ["2017-06-05", "2017/6/5", "2017.6.5", "2017年6月5日", "20170605", "２０１７-０６-０５",
                                   dt.datetime(2017, 6, 5, 14, 30), 42891.0, "2017-06-05 00:00:00"])
def test_dates_as_typed(typed):
    assert parse_date(typed) == dt.date(2017, 6, 5)


@pytest.mark.parametrize("typed", ["2017-02-30", "六月五日", "2017-13-01", "1917-06-05", "下周"])
def test_impossible_or_unreadable_dates(typed):
    assert isinstance(parse_date(typed), Unparsed)


@pytest.mark.parametrize("typed, month", [("2017-06", "2017-06"), ("2017年6月", "2017-06"), ("6月", "2017-06"),
                                          ("6月份", "2017-06"), (dt.date(2017, 6, 1), "2017-06"), ("201706", "2017-06")])
def test_report_months(typed, month):
    assert parse_month(typed, 2017) == month


def test_numbers_and_categories():
    assert parse_number("１２") == 12.0 and parse_number("5个") == 5.0 and parse_number("1,200") == 1200.0
    assert isinstance(parse_number("若干"), Unparsed)
    assert strip_category_prefix("3.征地拆迁和旧城改造") == "征地拆迁和旧城改造"
    assert strip_category_prefix("３、征地拆迁和旧城改造") == "征地拆迁和旧城改造"


def test_cells_are_named_as_users_see_them():
    assert cell_name(0, 0) == "A1" and cell_name(6, 8) == "I7" and cell_name(0, 26) == "AA1"


_TYPED_PIECES = ["低保审核", "，", "：", "；", "（", "）", "！", "？", "\u3000", "Ａ", "\u0301", "\u0327", "e", "ﬁ", "①", "㈱",
                 "\uf900", "ｶ", "\u3099", "\u309a", "，\u0301", "２０１７", " ", "\u200b"]


@given(st.lists(st.sampled_from(_TYPED_PIECES) | st.text(max_size=3), max_size=12).map("".join))
@settings(max_examples=400, deadline=None)
def test_fast_normalisation_is_nfkc(text):
    """Full-width punctuation replaced first, then NFKC: the same text, combining marks after a ， included."""
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


_CELL_PIECES = [*_TYPED_PIECES, "\n", "\t", "  ", "\xa0", "\0", "\u1100", "\u1161", "虚报冒领低保金"]


@given(st.lists(st.lists(st.sampled_from(_CELL_PIECES) | st.text(max_size=3), max_size=6).map("".join), max_size=8))
@settings(max_examples=400, deadline=None)
def test_a_column_cleaned_at_once_is_each_cell_cleaned(texts):
    """A sheet's texts cleaned together come out as each cleaned alone: a combining mark or a jamo at
    the start of one cell never joins the end of the cell before it, and spaces and breaks are tidied."""
    assert clean_texts(texts) == [clean_text(text) for text in texts]


def test_cells_typed_untidily_are_tidied_in_a_column():
    typed = ["低保审核不严", " 虚报冒领，\n 低保金 ", "账目\t不清", "好", "ﾃｽﾄ　２"]
    assert clean_texts(typed) == ["低保审核不严", "虚报冒领, 低保金", "账目 不清", "好", "テスト 2"]
    # only spaces at a cell's end, the rest of the column tidy
    for typed, tidied in [([" 低保", "审核"], ["低保", "审核"]), (["审核", "整改 "], ["审核", "整改"]),
                          (["低保 ", "审核"], ["低保", "审核"]), (["审核", " 不严"], ["审核", "不严"]),
                          (["冒领  低保", "审核"], ["冒领 低保", "审核"])]:
        assert clean_texts(typed) == tidied
