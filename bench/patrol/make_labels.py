#!/usr/bin/env python3
"""Writes bench/patrol/labelled.jsonl: sentences as they appear in county lists and notices,
each with the personal-data spans a person would mark, and hard negatives that look like
them (发文字号, 索引号, dates, statute numbers, amounts, identity numbers whose check digit
fails, 11-digit numbers that are not mobiles).

The identifiers are made here, with this file's own implementation of GB 11643-1999
(ISO 7064 MOD 11-2), the Luhn check and the mobile prefixes — not with gongkai's code — so
the benchmark measures the detectors against an independent reading of the rules. Fixed
seed: the file is reproducible. Run: python3 bench/patrol/make_labels.py
"""

import json
import random
import pathlib

rng = random.Random(20251201)

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
# County codes of Shandong (GB/T 2260), the district's own first.
PLACES = ["370116", "370102", "370103", "370112", "370113", "370124", "370181", "371202", "370302", "370705"]


def id_number(valid=True):
    place = rng.choice(PLACES)
    year = rng.randint(1940, 2012)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    seq = rng.randint(1, 999)
    body = f"{place}{year:04d}{month:02d}{day:02d}{seq:03d}"
    check = CHECK[sum(int(d) * w for d, w in zip(body, W)) % 11]
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return body + check


def impossible_date_id():
    """A number with a correct check digit but a birth date that does not exist."""
    place = rng.choice(PLACES)
    body = f"{place}1985023{rng.randint(0, 1)}{rng.randint(1, 999):03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, W)) % 11]


def luhn_digit(partial):
    total = 0
    for i, d in enumerate(reversed(partial)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def bank_card(valid=True):
    bin_ = rng.choice(["622202", "622848", "621700", "622588", "623052", "621226"])
    partial = bin_ + "".join(str(rng.randint(0, 9)) for _ in range(12))
    d = luhn_digit(partial)
    if not valid:
        d = str((int(d) + rng.randint(1, 9)) % 10)
    return partial + d


MOBILE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "157",
                   "158", "159", "166", "176", "177", "178", "180", "181", "182", "185", "186", "187",
                   "188", "189", "191", "198", "199"]


def mobile():
    return rng.choice(MOBILE_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(8))


def landline():
    return rng.choice(["0634-", "0531-", "(0634)", "0634"]) + str(rng.randint(2, 8)) + "".join(
        str(rng.randint(0, 9)) for _ in range(6))


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["秀英", "桂兰", "建国", "志强", "玉梅", "海燕", "明", "伟", "芳", "娜", "静", "磊", "洋", "勇"]
TOWNS = ["凤城街道", "张家洼街道", "高庄街道", "口镇", "羊里街道", "方下街道", "雪野街道", "大王庄镇", "寨里镇", "杨庄镇", "茶业口镇"]
VILLAGES = ["东关社区", "西关村", "北埠村", "南冶村", "孝义村", "莲花山社区"]


def name():
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def flat():
    return f"{rng.choice(['幸福', '汶源', '鹏泉', '凤凰', '金水河'])}小区{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 28)}0{rng.randint(1, 4)}室"


records = []


def add(parts, note):
    """parts: strings and (kind, text) pairs; the pairs are the labelled spans."""
    text, spans = "", []
    for p in parts:
        if isinstance(p, tuple):
            kind, value = p
            start = len(text.encode("utf-8"))
            text += value
            spans.append({"start": start, "end": len(text.encode("utf-8")), "kind": kind})
        else:
            text += p
    records.append({"text": text, "spans": spans, "note": note})


# Positives, as lists and notices put them.
for _ in range(120):
    add([f"{rng.randint(1, 300)}. {name()}，{rng.choice(TOWNS)}{rng.choice(VILLAGES)}，身份证号：", ("resident_id", id_number()),
         f"，保障人口{rng.randint(1, 5)}人。"], "低保名单一行")
for _ in range(40):
    add([f"{name()} ", ("resident_id", id_number()), f" {rng.choice(TOWNS)} 享受临时救助{rng.randint(5, 30)}00元"], "救助名单，空格分隔")
for _ in range(20):
    v = id_number()
    add([f"申请人{name()}（公民身份号码", ("resident_id", v[:-1] + v[-1].lower() if v.endswith('X') else v), "）"], "括号中的号码")
for _ in range(60):
    add([f"联系人：{name()}，联系电话：", ("mobile", mobile()), "。"], "联系人手机")
for _ in range(20):
    m = mobile()
    add([f"{name()}（电话", ("mobile", m), f"）已领取补贴"], "括号中的手机")
for _ in range(40):
    add([f"发放账户：{name()}，银行卡号", ("bank_card", bank_card()), "，开户行农商银行"], "补贴发放账户")
for _ in range(30):
    add([f"{name()}，住", ("home_address", flat()), "，家庭人口3人"], "住址")
for _ in range(30):
    add(["咨询电话：", ("landline", landline()), "，工作日上午9:00—12:00。"], "办公电话（低风险）")
for _ in range(20):
    user = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))
    add([f"请将材料发送至", ("email", f"{user}@{rng.choice(['laiwu.gov.cn', '163.com', 'qq.com'])}"), "。"], "电子邮箱")

# Hard negatives: look alike, are not personal data.
for _ in range(60):
    add([f"根据《关于做好{rng.randint(2018, 2025)}年政务公开工作的通知》（莱政办发〔{rng.randint(2018, 2025)}〕{rng.randint(1, 60)}号）"], "发文字号")
for _ in range(60):
    add([f"索引号：11371202MB28{rng.randint(10000, 99999)}X/{rng.randint(2019, 2025)}-{rng.randint(1, 9999999):07d}"], "索引号")
for _ in range(60):
    add([f"本办法自{rng.randint(2019, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日起施行，{rng.randint(2026, 2031)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}前完成清理。"], "日期")
for _ in range(40):
    add([f"依据《中华人民共和国社会救助暂行办法》第{rng.randint(1, 70)}条、《山东省最低生活保障办法》第{rng.randint(1, 40)}条"], "法条")
for _ in range(60):
    add([f"序号{rng.randint(1, 99)} 编号 {id_number(valid=False)} 待核实"], "校验位不符的18位数字")
for _ in range(20):
    add([f"证件号码 {impossible_date_id()}"], "出生日期不存在")
for _ in range(40):
    add([f"全年支出{rng.randint(10000000000, 99999999999)}元，其中专项资金{rng.randint(1000000, 9999999)}.{rng.randint(10, 99)}万元"], "金额")
for _ in range(40):
    add([f"项目编号 {rng.choice(['100', '120', '121', '104', '110', '112', '114', '000'])}{rng.randint(10000000, 99999999)}，合同号 SD{rng.randint(100000, 999999)}"], "非手机号段的11位数字")
for _ in range(40):
    add([f"流水号{bank_card(valid=False)}"], "不满足Luhn的卡号样数字")
for _ in range(20):
    add([f"统一社会信用代码：11371202MB{rng.randint(1000000, 9999999)}X，邮政编码271100"], "信用代码与邮编")

out = pathlib.Path(__file__).with_name("labelled.jsonl")
with out.open("w", encoding="utf-8") as f:
    for r in records:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"{len(records)} records, {sum(len(r['spans']) for r in records)} spans -> {out}")
