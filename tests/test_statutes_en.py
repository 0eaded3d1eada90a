"""English statute citations: the forms the legal review found rendered wrong (c08_junior, --lang en).

Each input is the exact Japanese citation a rule or template carries; each expectation is
what an English reader should see instead of the half-translated or merged form.
"""

from __future__ import annotations

import pytest

from render.detail import _law_en
from render.statutes import gloss_en

SEIBI = "民法の一部を改正する法律の施行に伴う関係法律の整備等に関する法律（平成29年法律第45号）"
KAISEI = "民法の一部を改正する法律（平成29年法律第44号）"


@pytest.mark.parametrize(
    ("text", "english"),
    [
        # the tax warning of rehabilitation.taxes_paid_outside_plan: "art. 122(1), 2項" before
        ("(民事再生法122条1項, 2項).", "(Civil Rehabilitation Act (民事再生法) art. 122(1) and (2))."),
        ("(民法472条2項, 3項).", "(Civil Code (民法) art. 472(2) and (3))."),
        ("(改正法附則10条1項・4項).",
         f"(Act Partially Amending the Civil Code (Act No. 44 of 2017) ({KAISEI}) Supplementary Provisions art. 10(1) and (4))."),
        ("252条1項1号・3号", "art. 252(1)(i) and (iii)"),
        # an item of an article without paragraphs: not "art. 22, item (vii)"
        ("民事執行法22条7号", "Civil Execution Act (民事執行法) art. 22(vii)"),
        # the short name of the 2017 adjustment act was left in Japanese
        ("(旧商法522条; transition 整備法附則4条1項)",
         "(Commercial Code before 1 April 2020 (art. 522: five-year commercial limitation) (旧商法) art. 522; "
         f"transition Act on the Arrangement of Related Acts for the 2017 Civil Code Amendment (Act No. 45 of 2017) ({SEIBI}) "
         "Supplementary Provisions art. 4(1))"),
        # the Japanese list mark between two whole citations
        ("破産法2条11項・15条1項", "Bankruptcy Act (破産法) art. 2(11), art. 15(1)"),
        # unchanged forms
        ("民法152条1項", "Civil Code (民法) art. 152(1)"),
        ("民事再生法231条2項4号", "Civil Rehabilitation Act (民事再生法) art. 231(2)(iv)"),
        ("民法458条の3第1項", "Civil Code (民法) art. 458-3(1)"),
    ],
)
def test_a_citation_in_an_english_text_is_rendered_whole(text, english):
    assert gloss_en(text, set()) == english


def test_the_sources_list_does_not_merge_an_item_into_the_next_article_number():
    # was "arts. 196, item (i), 197(1)" and "arts. 22, item (vii), 58"
    assert _law_en(["民事再生法196条1号", "民事再生法197条1項", "民事執行法22条7号", "民事執行法58条"]) == [
        "Civil Rehabilitation Act (民事再生法) arts. 196(i), 197(1)",
        "Civil Execution Act (民事執行法) arts. 22(vii), 58",
    ]


def test_the_sources_list_labels_supplementary_provisions_before_the_article():
    # was "(平成29年法律第45号)) art. Supplementary Provisions 4(1)"
    assert _law_en([f"{SEIBI}附則4条1項", f"{KAISEI}附則10条2項", f"{KAISEI}附則10条4項"]) == [
        f"Act on the Arrangement of Related Acts for the 2017 Civil Code Amendment (Act No. 45 of 2017) ({SEIBI}) "
        "Supplementary Provisions art. 4(1)",
        f"Act Partially Amending the Civil Code (Act No. 44 of 2017) ({KAISEI}) Supplementary Provisions arts. 10(2), 10(4)",
    ]


def test_an_act_cited_in_its_main_and_supplementary_provisions_lists_both_apart():
    assert _law_en(["民法145条", "民法152条1項", f"{KAISEI}附則10条2項", "改正法附則25条1項"]) == [
        "Civil Code (民法) arts. 145, 152(1)",
        f"Act Partially Amending the Civil Code (Act No. 44 of 2017) ({KAISEI}) Supplementary Provisions arts. 10(2), 25(1)",
    ]


@pytest.mark.parametrize(
    ("source", "english"),
    [
        ("民事訴訟費用等に関する法律別表第一 14項",
         "Act on the Costs of Civil Procedure (民事訴訟費用等に関する法律) Appended Table 1, item 14"),
        ("登録免許税法別表第一 1(15)", "Registration and License Tax Act (登録免許税法) Appended Table 1, item 1(15)"),
    ],
)
def test_an_appended_table_is_cited_in_english(source, english):
    # was "民事訴訟費用等に関する法律別表第一 14項", wholly Japanese in the English sources
    assert _law_en([source]) == [english]


@pytest.mark.parametrize(
    ("source", "english"),
    [
        ("令和6年国土交通省告示949号",
         "Ministry of Land, Infrastructure, Transport and Tourism Notice No. 949 of 2024 (brokerage fees for low-priced homes) "
         "(令和6年国土交通省告示949号)"),
        ("昭和45年建設省告示1552号第二",
         "Ministry of Construction Notice No. 1552 of 1970 (maximum brokerage fees) (昭和45年建設省告示1552号), Part 2"),
    ],
)
def test_a_ministerial_notice_is_cited_in_english(source, english):
    assert _law_en([source]) == [english]


def test_explain_shows_a_rules_sources_in_english():
    from render.explain import sources_text

    assert sources_text(["民事再生法196条1号", "昭和45年建設省告示1552号第二", "民事再生法122条2項"], "en") == (
        "Civil Rehabilitation Act (民事再生法) art. 196(i); "
        "Ministry of Construction Notice No. 1552 of 1970 (maximum brokerage fees) (昭和45年建設省告示1552号), Part 2; "
        "Civil Rehabilitation Act art. 122(2)"
    )


def test_a_dated_value_s_amending_act_and_a_whole_act_are_rendered_in_english():
    # parameter sources now reach the report's sources: 消費税法29条 as amended, 特定調停法 with no article
    assert gloss_en("消費税法29条（平成28年法律85号による改正）", set()) == \
        "Consumption Tax Act (消費税法) art. 29 (as amended by Act No. 85 of 2016)"
    assert gloss_en("特定調停法", set()).endswith("(特定調停法)") and gloss_en("特定調停法", set()).startswith("Act on")
