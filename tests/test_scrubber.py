"""A complainant's name and number must be masked wherever the register repeats them. The scrubber
looks only for the names a cell may hold and the numbers a number in it may contain (a register of
thousands of complainants must not cost each cell a try of every name and number); this checks, on
many generated registers and cells, that it masks exactly what searching for every one masks."""
import random
import re

import pytest

from pipeline.intake import confidential
from pipeline.intake.confidential import Scrubber, mask_name

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘钟𠀀"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志晓梅红玉凤丰"
FILLER = ["群众反映", "社区", "低保审核不严，", "（退休教师）", "、", "称", " ", "  ", "\n", "电话", "Tel:", "及", "转",
          "ＡＢＣ", "某某", "，", "王", "3号楼"]
LATIN = ["zhang.san@163.com", "LiSi", "wangwu2008", "Ｚｈａｏ Ｌｉｕ", "ſam", "Kelvin"]


class Reference(Scrubber):
    """The scrubber before it looked ahead: one alternation of every name (longest first), and
    every secret number as long as a telephone number searched for in each number found (the shorter ones
    are looked up as they are, in both: tests/test_confidentiality.py checks them in a register)."""

    def _mask_names(self, text):
        pattern = re.compile("|".join(r"\s*".join(map(re.escape, n)) for n in sorted(self.names, key=len, reverse=True)),
                             re.IGNORECASE)
        return pattern.sub(lambda m: mask_name(re.sub(r"\s", "", m.group(0))), text) if pattern.search(text) else None

    def _holds_secret_number(self, digits):
        return any(n in digits for n in self.numbers if len(n) >= confidential.MIN_SECRET_DIGITS)


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _cell(rng, names, phones):
    parts = []
    for _ in range(rng.randint(1, 8)):
        pick = rng.random()
        if pick > 0.9:  # a complainant's number, spaced or dashed, inside a longer one, or someone else's
            phone = rng.choice(phones)
            parts.append(rng.choice([phone, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"0{phone}", phone[2:],
                                     f"{rng.randint(10**5, 10**9)}", "0571-88886666", "86 " + phone]))
            continue
        if pick < 0.35 and names:
            name = rng.choice(names)
            if rng.random() < 0.25:  # typed with spaces between its characters, or in another case
                name = " ".join(name)
            elif rng.random() < 0.3:
                name = name.swapcase()
            parts.append(name)
        elif pick < 0.45:
            parts.append(_name(rng))  # someone who is not a complainant (or is, by chance)
        else:
            parts.append(rng.choice(FILLER))
    return "".join(parts)


@pytest.mark.parametrize("cased_names_before_one_pattern", [confidential.MANY_CASED, 0])
def test_the_scrubber_masks_what_one_pattern_of_every_name_masks(monkeypatch, cased_names_before_one_pattern):
    monkeypatch.setattr(confidential, "MANY_CASED", cased_names_before_one_pattern)
    rng = random.Random(20171130)
    checked = masked = 0
    for _ in range(300):
        people = [_name(rng) for _ in range(rng.randint(1, 12))]
        people += [p + rng.choice(GIVEN) for p in people[:2]]  # 张三 and 张三丰 both complained
        latin = rng.sample(LATIN, rng.randint(1, 2)) if rng.random() < 0.3 else []
        phones = [f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}" for _ in range(3)] + ["88886666", "52011"]
        secrets = people + latin + phones + ["、".join(people[:2]), f"{people[0]}（退休教师）", 13900001111.0]
        scrub, reference = Scrubber(secrets), Reference(secrets)
        names = [s for s in secrets if isinstance(s, str) and not s[0].isdigit()]
        for _ in range(20):
            text = _cell(rng, names, phones)
            expected = reference(text)
            assert scrub(text) == expected, (secrets, text)
            checked += 1
            masked += expected != text
    assert checked == 6000 and masked > 3000  # most cells named someone, and many did not


def test_a_register_of_twenty_thousand_complainants_masks_each_name_in_each_cell():
    rng = random.Random(7)
    people = sorted({_name(rng) + rng.choice(GIVEN) + rng.choice(GIVEN) for _ in range(20000)})
    scrub = Scrubber(people)
    for person in rng.sample(people, 200):
        cell = f"来电人{person}反映社区低保审核不严，{person[0]} {person[1:]}多次反映未果"
        assert person not in scrub(cell) and mask_name(person) in scrub(cell)
        assert "".join(person[1:]) not in scrub(cell).replace(" ", "")


def test_numbers_written_with_dots_are_masked_as_the_contacts_they_are_and_nothing_else():
    """A register's contacts written with dots, and an extension: each is masked wherever written,
    whole where written as one number; digits that merely share a contact's (an address, an amount
    grouped otherwise, a date written beside a contact) are no one's."""
    scrub = Scrubber(["138.1234.5678", "QQ 654.321", "028-87654321", "13912345678转8012", "13700001111（2017.06.05来电）"])
    assert scrub("另可拨Tel.138.1234.5678或13812345678") == "另可拨Tel.138****5678或138****5678"
    assert scrub("QQ654321，QQ 654.321") == "QQ****21,QQ ****21"
    for text in ("来电13912345678-8012反映，请转8012", "钟晓梅8012来电"):
        assert "8012" not in scrub(text) and "5678" not in scrub(text)
    for kept in ("IP 176.54.32.10", "金额6543.21元", "2017年6月5日、2017.06.05", "XF-20170605-01"):
        assert scrub(kept) == kept
    assert scrub.secret_decimal(654.321) == "****21" and scrub.secret_decimal(1234.56) is None
