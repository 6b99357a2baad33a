use super::*;
use FindingKind::*;

/// The kinds found in `text` and what each span reads as written.
fn found(text: &str) -> Vec<(FindingKind, &str)> {
    scan(text, &[]).into_iter().map(|f| (f.kind, &text[f.start..f.end])).collect()
}

#[test]
fn personal_data_is_found_and_its_near_misses_are_not() {
    // (text, what must be found). Identity numbers pass GB 11643's check digit and carry a
    // real birth date; cards pass Luhn.
    let cases: &[(&str, &[(FindingKind, &str)])] = &[
        ("低保对象：张三，身份证号370116198001011235，保障金300元", &[(ResidentId, "370116198001011235")]),
        ("身份证号11010519491231002x。", &[(ResidentId, "11010519491231002x")]),
        ("身份证号：３７０１１６１９８５１２３１００２６", &[(ResidentId, "３７０１１６１９８５１２３１００２６")]),
        ("老证号370116800101123", &[(OldResidentId, "370116800101123")]),
        ("开户账号6222021200001234561", &[(BankCard, "6222021200001234561")]),
        ("卡号 6228480012345671，", &[(BankCard, "6228480012345671")]),
        ("联系电话13800000000", &[(Mobile, "13800000000")]),
        ("手机：138-0000-0000；", &[(Mobile, "138-0000-0000")]),
        ("手机 139 1234 5678", &[(Mobile, "139 1234 5678")]),
        ("咨询电话：0634-6212345。", &[(Landline, "0634-6212345")]),
        ("电话(0531)76212345", &[(Landline, "(0531)76212345")]),
        ("邮箱 wang.li@example.com.cn。", &[(Email, "wang.li@example.com.cn")]),
        ("住址：凤城街道幸福小区3号楼2单元501室", &[(HomeAddress, "3号楼2单元501室")]),
        ("家住12栋302室", &[(HomeAddress, "12栋302室")]),
        // An area code run into the number, after 电话 (bench/patrol/labelled.jsonl).
        ("咨询电话：06343312353，工作日", &[(Landline, "06343312353")]),
        // An identity-shaped number that passes Luhn is a card only where the text says so.
        ("银行卡号370113200507184890", &[(BankCard, "370113200507184890")]),
        // A 个体工商户's code belongs to the person who runs it.
        ("经营者张三，统一社会信用代码92370116MA3C5XYW14。", &[(SoleTraderCode, "92370116MA3C5XYW14")]),
    ];
    for (text, want) in cases {
        assert_eq!(found(text), *want, "{text}");
    }
    // Near misses: numbers of the same length that fail their check, codes with digits
    // inside, dates, document and article numbers, decimals.
    let misses = [
        "身份证号370116198001011236（校验位错误）",
        "出生日期不存在：370116198002301234",
        "卡号6222021200001234568（Luhn 不通过）",
        "12800000000 不是手机号段",
        "统一社会信用代码91370100MA3C5XYZ1Q",
        "索引号11370112MB2803691Q/2024-6538710",
        "网址 https://www.laiwu.gov.cn/art/2025/7/1/art_12345678901.html",
        "莱政办发〔2025〕5号，2025年7月1日，第三十六条第（二）项",
        "20250701至20251231",
        "圆周率3.14159265358979323",
        "凤城街道1号",
        "订单编号A138000000001",
        "2024-2025学年",
        "收费10000000000元",
        // Found by the labelled file: a quantity is not a mobile, a mistyped identity
        // number that happens to pass Luhn is not a card, a number without 电话 is not a line.
        "全年支出18298341469元",
        "编号 370113200507184890 待核实",
        "证件号码 370102198502302454",
        "项目编号 06343312353",
        // A company's code (91…), a sole trader's code with a wrong check character, and one
        // inside a longer code.
        "统一社会信用代码91370116MA3C5XYW17",
        "统一社会信用代码92370116MA3C5XYW15",
        "X92370116MA3C5XYW14",
    ];
    for text in misses {
        assert_eq!(found(text), [], "{text}");
    }
}

#[test]
fn each_kind_has_its_severity_and_a_mask_that_keeps_only_the_ends() {
    let text = "张三 370116198001011235 13800000000 6222021200001234561 0634-6212345 wang@example.cn";
    let fs = scan(text, &[]);
    let got: Vec<(FindingKind, Severity, &str)> =
        fs.iter().map(|f| (f.kind, f.severity, f.replacement.as_str())).collect();
    assert_eq!(
        got,
        [
            (ResidentId, Severity::High, "3701**********1235"),
            (Mobile, Severity::Medium, "138****0000"),
            (BankCard, Severity::High, "6222***********4561"),
            (Landline, Severity::Low, "0634-*****45"),
            (Email, Severity::Low, "w***@example.cn"),
        ]
    );
    assert_eq!(mask(text, &fs), "张三 3701**********1235 138****0000 6222***********4561 0634-*****45 w***@example.cn");
    // Staff see a finding masked, never the number itself.
    assert_eq!(shown(text, &fs[0]), "3701**********1235");
}

#[test]
fn malformed_document_numbers_are_found_with_their_correct_form() {
    let cases: &[(&str, Option<(&str, &str)>)] = &[
        ("根据莱政办发[2025]5号文件", Some(("莱政办发[2025]5号", "莱政办发〔2025〕5号"))),
        ("《通知》（莱政办发〔2025〕05号）", Some(("莱政办发〔2025〕05号", "莱政办发〔2025〕5号"))),
        ("按照鲁政发（2024）第3号", Some(("鲁政发（2024）第3号", "鲁政发〔2024〕3号"))),
        ("局作出温国土资发（2018）366号", Some(("温国土资发（2018）366号", "温国土资发〔2018〕366号"))),
        ("莱政办发〔2025〕5号", None),
        ("国务院令第711号", None),
        ("（2025）年度", None),
    ];
    for (text, want) in cases {
        let got: Vec<(&str, String)> = scan(text, &[])
            .into_iter()
            .filter(|f| f.kind == DocNo)
            .map(|f| (&text[f.start..f.end], f.replacement))
            .collect();
        let want: Vec<(&str, String)> = want.iter().map(|(a, b)| (*a, b.to_string())).collect();
        assert_eq!(got, want, "{text}");
        assert!(scan(text, &[]).iter().all(|f| f.severity == Severity::Low || f.kind != DocNo));
    }
}

#[test]
fn serious_wording_errors_come_from_the_list_and_the_offices_additions() {
    assert_eq!(
        found("依据《中华人名共和国政府信息公开条列》"),
        [(Wording, "中华人名共和国"), (Wording, "政府信息公开条列")]
    );
    assert_eq!(found("《中华人民共和国政府信息公开条例》"), []);
    let office = [WordingRule { wrong: "莱芜市".into(), right: "济南市莱芜区".into() }];
    let fs = scan("莱芜市人民政府", &office);
    assert_eq!((fs[0].kind, fs[0].replacement.as_str()), (Wording, "济南市莱芜区"));
    assert!(shipped_wording().len() >= 10 && shipped_wording().iter().all(|r| r.wrong != r.right));
    // The list holds no pattern that is a correct phrase itself.
    for r in shipped_wording() {
        assert!(!r.right.contains(&r.wrong), "{} inside {}", r.wrong, r.right);
    }
}

#[test]
fn the_helpers_follow_their_standards() {
    assert!(is_bank_card("4111111111111111") && !is_bank_card("4111111111111112"));
    assert!(!is_bank_card("1111111111111117"), "no card starts with 1");
    assert!(is_old_resident_id("370116800101123") && !is_old_resident_id("370116801301123"));
    assert!(!is_old_resident_id("070116800101123"), "no place code starts with 0");
}

#[test]
fn the_worse_the_finding_the_sooner_it_is_due() {
    assert_eq!([Severity::High, Severity::Medium, Severity::Low].map(Severity::working_days), [1, 3, 10]);
    assert_eq!(FindingStatus::parse("误报"), Some(FindingStatus::FalsePositive));
}
