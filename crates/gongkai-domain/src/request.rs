//! Requests for disclosure (依申请公开): who may apply, through which channel, what an
//! application must carry (《政府信息公开条例》第二十九条), when it counts as received
//! (第三十一条), and the tracking number an applicant follows it by.

use crate::document::{FieldError, labelled_enum};
use crate::ids::{CreditCode, ResidentId};
use time::Date;

labelled_enum! {
    /// The applicant columns of the annual report (RULES.md §2.2).
    ApplicantKind {
        Natural = "natural" / "自然人",
        Commercial = "commercial" / "商业企业",
        Research = "research" / "科研机构",
        PublicWelfare = "public_welfare" / "社会公益组织",
        LegalService = "legal_service" / "法律服务机构",
        OtherOrg = "other_org" / "其他",
    }
}

impl ApplicantKind {
    pub fn is_natural(self) -> bool {
        self == ApplicantKind::Natural
    }
}

labelled_enum! {
    /// How the application arrived; each has its own receipt rule (第三十一条).
    RequestChannel {
        Online = "online" / "网上申请",
        InPerson = "in_person" / "当面提交",
        PostSigned = "post_signed" / "邮寄（需签收）",
        PostUnsigned = "post_unsigned" / "平常信函（无需签收）",
        Fax = "fax" / "传真",
    }
}

impl RequestChannel {
    /// What the receipt date is for this channel, as the registration form explains it.
    pub fn receipt_rule(self) -> &'static str {
        match self {
            RequestChannel::Online => "以双方确认之日为收到申请之日（网上提交即时确认）",
            RequestChannel::InPerson => "以提交之日为收到申请之日",
            RequestChannel::PostSigned => "以签收之日为收到申请之日",
            RequestChannel::PostUnsigned => "以当日与申请人确认之日为收到申请之日",
            RequestChannel::Fax => "以双方确认之日为收到申请之日",
        }
    }
}

labelled_enum! {
    /// How the applicant wants the information (第二十九条第三项).
    CollectBy {
        Email = "email" / "电子邮件",
        Post = "post" / "邮寄",
        Pickup = "pickup" / "当面领取",
        Online = "online" / "网上获取",
    }
}

labelled_enum! {
    Medium {
        Paper = "paper" / "纸质",
        Electronic = "electronic" / "电子",
    }
}

labelled_enum! {
    /// The outcome of a request, exactly the result rows of the annual report (2021 format,
    /// RULES.md §2.3); [`Outcome::group`] is the row they sit under.
    Outcome {
        Disclose = "disclose" / "予以公开",
        Partial = "partial" / "部分公开（区分处理的，只计这一情形，不计其他情形）",
        WithholdSecret = "withhold_secret" / "属于国家秘密",
        WithholdLaw = "withhold_law" / "其他法律行政法规禁止公开",
        WithholdSecurity = "withhold_security" / "危及“三安全一稳定”",
        WithholdThirdParty = "withhold_third_party" / "保护第三方合法权益",
        WithholdInternal = "withhold_internal" / "属于三类内部事务信息",
        WithholdProcess = "withhold_process" / "属于四类过程性信息",
        WithholdEnforcement = "withhold_enforcement" / "属于行政执法案卷",
        WithholdInquiry = "withhold_inquiry" / "属于行政查询事项",
        UnavailableNotHeld = "unavailable_not_held" / "本机关不掌握相关政府信息",
        UnavailableNeedsMaking = "unavailable_needs_making" / "没有现成信息需要另行制作",
        UnavailableUnclear = "unavailable_unclear" / "补正后申请内容仍不明确",
        RefusePetition = "refuse_petition" / "信访举报投诉类申请",
        RefuseRepeat = "refuse_repeat" / "重复申请",
        RefusePublication = "refuse_publication" / "要求提供公开出版物",
        RefuseExcessive = "refuse_excessive" / "无正当理由大量反复申请",
        RefuseConfirm = "refuse_confirm" / "要求行政机关确认或重新出具已获取信息",
        OtherNoClarification = "other_no_clarification" / "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        OtherUnpaid = "other_unpaid" / "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        Other = "other" / "其他",
    }
}

impl Outcome {
    /// The report row the outcome is counted under.
    pub fn group(self) -> &'static str {
        use Outcome::*;
        match self {
            Disclose => "（一）予以公开",
            Partial => "（二）部分公开",
            WithholdSecret | WithholdLaw | WithholdSecurity | WithholdThirdParty | WithholdInternal
            | WithholdProcess | WithholdEnforcement | WithholdInquiry => "（三）不予公开",
            UnavailableNotHeld | UnavailableNeedsMaking | UnavailableUnclear => "（四）无法提供",
            RefusePetition | RefuseRepeat | RefusePublication | RefuseExcessive | RefuseConfirm => "（五）不予处理",
            OtherNoClarification | OtherUnpaid | Other => "（六）其他处理",
        }
    }

    /// The article a reply usually cites; the decision still states its own basis.
    pub fn suggested_basis(self) -> Option<&'static str> {
        use Outcome::*;
        Some(match self {
            Disclose => "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
            Partial => "《中华人民共和国政府信息公开条例》第三十七条",
            WithholdSecret | WithholdLaw | WithholdSecurity => "《中华人民共和国政府信息公开条例》第十四条",
            WithholdThirdParty => "《中华人民共和国政府信息公开条例》第十五条",
            WithholdInternal | WithholdProcess | WithholdEnforcement => "《中华人民共和国政府信息公开条例》第十六条",
            WithholdInquiry => "《中华人民共和国政府信息公开条例》第三十六条第（七）项",
            UnavailableNotHeld => "《中华人民共和国政府信息公开条例》第三十六条第（四）项",
            UnavailableNeedsMaking => "《中华人民共和国政府信息公开条例》第三十八条",
            UnavailableUnclear | OtherNoClarification => "《中华人民共和国政府信息公开条例》第三十条",
            RefusePetition | RefusePublication => "《中华人民共和国政府信息公开条例》第三十九条",
            RefuseRepeat => "《中华人民共和国政府信息公开条例》第三十六条第（六）项",
            RefuseExcessive => "《中华人民共和国政府信息公开条例》第三十五条",
            OtherUnpaid => "《中华人民共和国政府信息公开条例》第四十二条",
            RefuseConfirm | Other => return None,
        })
    }
}

/// An application as typed into the public form or the staff registration form.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Application {
    pub applicant_kind: String,
    /// A person's name, or an organisation's name.
    pub name: String,
    /// 居民身份证号码 for a person; 统一社会信用代码 for an organisation.
    pub id_number: String,
    /// An organisation's contact person.
    pub contact_person: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub address: Option<String>,
    /// 名称、文号或者便于查询的其他特征性描述.
    pub description: String,
    pub purpose: Option<String>,
    pub medium: String,
    /// 申请人领取方式; published as `delivery`, still accepted.
    #[serde(alias = "delivery")]
    pub collect_by: String,
}

/// An application that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApplication {
    pub applicant_kind: ApplicantKind,
    pub name: String,
    /// Normalised identity number (upper-case X), checked.
    pub id_number: String,
    pub contact_person: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub address: Option<String>,
    pub description: String,
    pub purpose: Option<String>,
    pub medium: Medium,
    pub collect_by: CollectBy,
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Checks an application: every problem is reported, each with its field.
/// A plausible e-mail address: something@domain.tld, at most 100 characters, no spaces.
pub fn is_email(e: &str) -> bool {
    e.len() <= 100
        && !e.contains(char::is_whitespace)
        && e.split_once('@')
            .is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
}

pub fn validate(a: &Application) -> Result<ValidApplication, Vec<FieldError>> {
    let mut errs = Vec::new();
    use crate::text::check;
    for (field, label, v, multiline) in [
        ("name", "姓名或名称", a.name.as_str(), false),
        ("id_number", "证件号码", &a.id_number, false),
        ("contact_person", "联系人", a.contact_person.as_deref().unwrap_or(""), false),
        ("phone", "联系电话", &a.phone, false),
        ("email", "电子邮箱", a.email.as_deref().unwrap_or(""), false),
        ("address", "通信地址", a.address.as_deref().unwrap_or(""), false),
        ("description", "所需信息的内容描述", &a.description, true),
        ("purpose", "用途", a.purpose.as_deref().unwrap_or(""), true),
    ] {
        check(&mut errs, field, label, v, multiline);
    }
    let kind = ApplicantKind::parse(&a.applicant_kind);
    if kind.is_none() {
        errs.push(FieldError::new(
            "applicant_kind",
            "请选择申请人类型：自然人，或法人/其他组织（商业企业、科研机构、社会公益组织、法律服务机构、其他）",
        ));
    }
    let name = a.name.trim().to_string();
    if name.is_empty() {
        errs.push(FieldError::new("name", "请填写申请人姓名或名称"));
    } else if name.chars().count() > 100 {
        errs.push(FieldError::new("name", "姓名或名称不超过100字"));
    }
    let mut id_number = a.id_number.trim().to_ascii_uppercase();
    match kind {
        Some(k) if k.is_natural() => match ResidentId::parse(&id_number) {
            Ok(id) => id_number = id.as_str().to_string(),
            Err(e) => errs.push(FieldError::new("id_number", e.to_string())),
        },
        Some(_) => match CreditCode::parse(&id_number) {
            Ok(c) => id_number = c.as_str().to_string(),
            Err(e) => errs.push(FieldError::new("id_number", e.to_string())),
        },
        None => {}
    }
    let contact_person = trimmed(&a.contact_person);
    if kind.is_some_and(|k| !k.is_natural()) && contact_person.is_none() {
        errs.push(FieldError::new("contact_person", "法人或其他组织请填写联系人"));
    }
    let phone = a.phone.trim().to_string();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(7..=15).contains(&digits) || !phone.chars().all(|c| c.is_ascii_digit() || "-+ ()".contains(c)) {
        errs.push(FieldError::new("phone", "请填写有效的联系电话（7至15位数字）"));
    }
    let email = trimmed(&a.email);
    if let Some(e) = &email
        && !is_email(e)
    {
        errs.push(FieldError::new("email", "电子邮箱格式不正确"));
    }
    let description = a.description.trim().to_string();
    let n = description.chars().count();
    if n < 5 {
        errs.push(FieldError::new(
            "description",
            "请写明所需政府信息的名称、文号或便于查询的其他特征性描述（至少5个字）",
        ));
    } else if n > 2000 {
        errs.push(FieldError::new("description", "信息描述不超过2000字"));
    }
    let medium = Medium::parse(&a.medium);
    if medium.is_none() {
        errs.push(FieldError::new("medium", "请选择信息的提供形式：纸质或电子"));
    }
    let delivery = CollectBy::parse(&a.collect_by);
    if delivery.is_none() {
        errs.push(FieldError::new("delivery", "请选择获取方式：电子邮件、邮寄、当面领取或网上获取"));
    }
    if delivery == Some(CollectBy::Email) && email.is_none() {
        errs.push(FieldError::new("email", "选择电子邮件获取时，请填写电子邮箱"));
    }
    let address = trimmed(&a.address);
    if delivery == Some(CollectBy::Post) && address.is_none() {
        errs.push(FieldError::new("address", "选择邮寄时，请填写通信地址"));
    }
    let purpose = trimmed(&a.purpose);
    if purpose.as_ref().is_some_and(|p| p.chars().count() > 500) {
        errs.push(FieldError::new("purpose", "用途说明不超过500字"));
    }
    match (kind, medium, delivery, errs.is_empty()) {
        (Some(applicant_kind), Some(medium), Some(delivery), true) => Ok(ValidApplication {
            applicant_kind,
            name,
            id_number,
            contact_person,
            phone,
            email,
            address,
            description,
            purpose,
            medium,
            collect_by: delivery,
        }),
        _ => Err(errs),
    }
}

/// The receipt date for a channel (第三十一条): the day of submission, signing or mutual
/// confirmation. Staff give the date the channel's rule names; it cannot lie in the future
/// or before the letter was sent.
pub fn receipt_date(channel: RequestChannel, stated: Option<Date>, today: Date) -> Result<Date, FieldError> {
    let d = match (channel, stated) {
        (RequestChannel::Online, _) => return Ok(today),
        (_, Some(d)) => d,
        (_, None) => {
            return Err(FieldError::new("received_on", format!("请填写收到申请的日期：{}", channel.receipt_rule())));
        }
    };
    if d > today {
        return Err(FieldError::new("received_on", "收到申请的日期不能晚于今天"));
    }
    if (today - d).whole_days() > 366 {
        return Err(FieldError::new("received_on", "收到申请的日期不能早于一年以前"));
    }
    Ok(d)
}

/// 依申请公开 tracking number: YSQ + year + 6-digit sequence, e.g. YSQ2025000123.
pub fn tracking_no(year: i32, seq: u32) -> String {
    format!("YSQ{year}{seq:06}")
}

/// Query codes avoid characters people confuse (0/O, 1/I/L).
pub const QUERY_CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const QUERY_CODE_LEN: usize = 8;

/// A query code from random bytes (the caller supplies the randomness).
pub fn query_code(random: &[u8; QUERY_CODE_LEN]) -> String {
    random.iter().map(|b| QUERY_CODE_ALPHABET[*b as usize % QUERY_CODE_ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn person() -> Application {
        Application {
            applicant_kind: "自然人".into(),
            name: "张三".into(),
            id_number: "11010519491231002x".into(),
            phone: "0531-76212345".into(),
            email: Some("zhang@example.cn".into()),
            description: "莱芜区2024年老旧小区改造项目清单".into(),
            medium: "electronic".into(),
            collect_by: "email".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_application_passes_and_the_id_is_normalised() {
        let v = validate(&person()).unwrap();
        assert_eq!((v.applicant_kind, v.id_number.as_str()), (ApplicantKind::Natural, "11010519491231002X"));
        let mut org = person();
        org.applicant_kind = "法律服务机构".into();
        org.name = "某某律师事务所".into();
        org.id_number = "91350100M000100Y43".into();
        org.contact_person = Some("李四".into());
        assert_eq!(validate(&org).unwrap().applicant_kind, ApplicantKind::LegalService);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut a = person();
        a.id_number = "110105194912310021".into(); // wrong check digit
        a.phone = "12".into();
        a.description = "文件".into();
        a.collect_by = "post".into();
        a.email = Some("not-an-email".into());
        let errs = validate(&a).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["id_number", "phone", "email", "description", "address"]);
        assert!(errs[0].message.contains("校验位"), "{}", errs[0].message);
        let mut org = person();
        org.applicant_kind = "商业企业".into();
        let errs = validate(&org).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["id_number", "contact_person"], "an organisation gives a credit code and a contact");
        let bad_kind = Application { applicant_kind: "个体户".into(), ..person() };
        assert_eq!(validate(&bad_kind).unwrap_err()[0].field, "applicant_kind");
    }

    #[test]
    fn receipt_dates_follow_the_channel() {
        let today = date!(2025 - 02 - 10);
        assert_eq!(receipt_date(RequestChannel::Online, Some(date!(2025 - 01 - 01)), today), Ok(today));
        assert_eq!(
            receipt_date(RequestChannel::PostSigned, Some(date!(2025 - 02 - 08)), today),
            Ok(date!(2025 - 02 - 08))
        );
        let e = receipt_date(RequestChannel::PostUnsigned, None, today).unwrap_err();
        assert!(e.message.contains("当日与申请人确认"), "{}", e.message);
        assert!(receipt_date(RequestChannel::Fax, Some(date!(2025 - 02 - 11)), today).is_err(), "not in the future");
    }

    #[test]
    fn outcomes_are_the_national_categories() {
        assert_eq!(Outcome::ALL.len(), 21, "2 + 8 + 3 + 5 + 3 leaf rows");
        let count = |g: &str| Outcome::ALL.iter().filter(|o| o.group() == g).count();
        assert_eq!(
            [count("（三）不予公开"), count("（四）无法提供"), count("（五）不予处理"), count("（六）其他处理")],
            [8, 3, 5, 3]
        );
        assert_eq!(Outcome::parse("属于四类过程性信息"), Some(Outcome::WithholdProcess));
        assert!(Outcome::UnavailableNotHeld.suggested_basis().unwrap().ends_with("第三十六条第（四）项"));
    }

    #[test]
    fn tracking_numbers_and_query_codes() {
        assert_eq!(tracking_no(2025, 123), "YSQ2025000123");
        let code = query_code(&[0, 1, 2, 3, 30, 31, 200, 255]);
        assert_eq!(code.len(), QUERY_CODE_LEN);
        assert!(code.chars().all(|c| !"01ILO".contains(c)), "{code}");
    }
}
