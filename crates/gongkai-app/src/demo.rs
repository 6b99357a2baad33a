//! Demo data: a sample district (marked 示例 everywhere it shows), the 2025 work plan,
//! sample documents with versions, a repeal and interpretations. Loaded through the same
//! use cases people use, so the demo exercises the real rules.

use crate::auth::NewUser;
use crate::documents::{ActionInput, DocumentInput};
use crate::interpretations::InterpretationInput;
use crate::orgs::NewOrg;
use crate::{Actor, App, Result};
use gongkai_domain::{CreditCode, Role, Status};
use gongkai_store::org;
use gongkai_store::sea_orm::{EntityTrait, PaginatorTrait};

pub const WORK_PLAN: &str = include_str!("../demo/work-plan-2025.txt");
pub const DEMO_PASSWORD: &str = "gongkai-demo-2025";

/// Sample credit codes: valid check characters on an obviously made-up body.
fn sample_code(n: u32) -> String {
    CreditCode::with_check(&format!("1137011600000{n:04}")).map(|c| c.to_string()).unwrap_or_default()
}

struct SampleDoc {
    title: &'static str,
    doc_no: Option<&'static str>,
    category: &'static str,
    topic: &'static str,
    signed: &'static str,
    published: &'static str,
    effective: Option<&'static str>,
    expires: Option<&'static str>,
    body: String,
}

impl SampleDoc {
    fn input(&self, org_id: i64) -> DocumentInput {
        DocumentInput {
            title: self.title.into(),
            org_id: Some(org_id),
            doc_no: self.doc_no.map(Into::into),
            category: self.category.into(),
            topic: Some(self.topic.into()),
            signed_on: Some(self.signed.into()),
            published_on: Some(self.published.into()),
            effective_on: self.effective.map(Into::into),
            expires_on: self.expires.map(Into::into),
            body: self.body.clone(),
            keywords: Some("示例".into()),
            ..Default::default()
        }
    }
}

impl App {
    /// True when the database has no organisation yet.
    pub async fn is_empty(&self) -> Result<bool> {
        Ok(org::Entity::find().count(self.store.conn()).await? == 0)
    }

    async fn push_through(&self, actor: &Actor, id: i64) -> Result<()> {
        let act = |a: &str| ActionInput { action: a.into(), ..Default::default() };
        self.document_action(actor, id, act("submit")).await?;
        loop {
            let d = self.document_action(actor, id, act("approve")).await?;
            if d.status == Status::Approved {
                break;
            }
        }
        self.document_action(actor, id, act("publish")).await?;
        Ok(())
    }

    /// Loads the sample district. Returns the administrator's user name.
    pub async fn load_demo(&self) -> Result<()> {
        self.ensure_topics().await?;
        let cli = Actor::system(0);
        let gov = self
            .create_org(
                &cli,
                NewOrg {
                    name: "济南市莱芜区人民政府（示例）".into(),
                    kind: "government".into(),
                    parent_id: None,
                    issuer_code: Some("莱政发".into()),
                    credit_code: sample_code(1),
                    review_levels: 2,
                    require_interpretation: true,
                    is_sample: true,
                },
            )
            .await?;
        let mk = |name: &str, kind: &str, code: &str, n: u32, parent: i64, levels: i32| NewOrg {
            name: name.into(),
            kind: kind.into(),
            parent_id: Some(parent),
            issuer_code: (!code.is_empty()).then(|| code.to_string()),
            credit_code: sample_code(n),
            review_levels: levels,
            require_interpretation: true,
            is_sample: true,
        };
        let office =
            self.create_org(&cli, mk("济南市莱芜区人民政府办公室（示例）", "office", "莱政办发", 2, gov.id, 2)).await?;
        let edu = self
            .create_org(&cli, mk("济南市莱芜区教育和体育局（示例）", "department", "莱教体发", 3, gov.id, 1))
            .await?;
        self.create_org(&cli, mk("济南市莱芜区民政局（示例）", "department", "莱民发", 4, gov.id, 1)).await?;
        self.create_org(&cli, mk("济南市莱芜区市场监督管理局（示例）", "department", "莱市监发", 5, gov.id, 3)).await?;
        let town = self.create_org(&cli, mk("莱芜区凤城街道办事处（示例）", "town", "凤城办发", 6, gov.id, 1)).await?;
        self.create_org(&cli, mk("凤城街道某社区居民委员会（示例）", "village", "", 7, town.id, 1)).await?;
        self.create_org(&cli, mk("莱芜区口镇人民政府（示例）", "town", "口政发", 8, gov.id, 1)).await?;

        let user = |name: &str, display: &str, role: Role, org: i64| NewUser {
            username: name.into(),
            display_name: Some(display.into()),
            role: role.code().into(),
            org: org.to_string(),
            password: DEMO_PASSWORD.into(),
            email: None,
        };
        self.add_user(&cli, user("admin", "系统管理员（示例）", Role::Admin, office.id)).await?;
        self.add_user(&cli, user("office", "区政府办公室公开办（示例）", Role::Office, office.id)).await?;
        // The office's two review levels are passed by two other people (four-eyes rule).
        self.add_user(&cli, user("deputy", "区政府办公室副主任（示例，初审）", Role::Reviewer, office.id)).await?;
        self.add_user(&cli, user("director", "区政府办公室主任（示例，终审）", Role::Reviewer, office.id)).await?;
        self.add_user(&cli, user("editor", "教体局编辑（示例）", Role::Editor, edu.id)).await?;
        self.add_user(&cli, user("reviewer", "教体局审核员（示例）", Role::Reviewer, edu.id)).await?;

        let staff = Actor { org_id: office.id, ..Actor::system(office.id) };
        // The work plan itself, as the district office published it.
        let plan = self
            .create_document(
                &staff,
                DocumentInput {
                    title: "济南市莱芜区人民政府办公室关于印发2025年莱芜区政务公开工作要点的通知".into(),
                    org_id: Some(office.id),
                    kind: Some("通知".into()),
                    category: "其他文件".into(),
                    topic: Some("综合政务\\政务公开".into()),
                    signed_on: Some("2025-06-27".into()),
                    published_on: Some("2025-06-30".into()),
                    keywords: Some("政务公开 工作要点".into()),
                    body: format!("各街道（镇）办事处（人民政府），区直各部门单位：\n{}", WORK_PLAN.trim()),
                    ..Default::default()
                },
            )
            .await?;
        self.push_through(&staff, plan.id).await?;

        let rules_v1 = SampleDoc {
            title: "莱芜区政府信息公开申请办理规范（示例）",
            doc_no: Some("莱政办发〔2023〕3号"),
            category: "行政规范性文件",
            topic: "综合政务\\政务公开",
            signed: "2023-03-10",
            published: "2023-03-15",
            effective: Some("2023-04-15"),
            expires: Some("2028-04-14"),
            body: "第一章　总则\n第一条　为规范本区政府信息公开申请的办理，根据《中华人民共和国政府信息公开条例》，结合本区实际，制定本规范。\n第二条　本规范适用于区政府及其部门、街道（镇）办理政府信息公开申请的工作。\n第二章　受理\n第三条　申请内容不明确的，应当自收到申请之日起七个工作日内一次性告知申请人补正。\n第四条　能够当场答复的，应当当场予以答复；不能当场答复的，应当自收到申请之日起十五个工作日内予以答复。\n第三章　附则\n第五条　本规范自2023年4月15日起施行，有效期五年。".into(),
        };
        let v1 = self.create_document(&staff, rules_v1.input(office.id)).await?;
        let i1 = self
            .create_interpretation(&staff, InterpretationInput {
                title: "《莱芜区政府信息公开申请办理规范》政策解读（示例）".into(),
                form: "text".into(),
                body: "<p>一、制定背景：落实《政府信息公开条例》关于依申请公开的规定。</p><p>二、主要内容：明确补正告知、答复期限等办理要求。</p>".into(),
                document_ids: vec![v1.id],
                ..Default::default()
            })
            .await?;
        self.push_through(&staff, v1.id).await?;
        let rules_v2 = SampleDoc {
            doc_no: Some("莱政办发〔2025〕8号"),
            signed: "2025-05-20",
            published: "2025-05-26",
            effective: Some("2025-06-01"),
            expires: Some("2030-05-31"),
            body: rules_v1.body.replace("十五个工作日", "二十个工作日").replace(
                "第三章　附则\n第五条　本规范自2023年4月15日起施行，有效期五年。",
                "第五条　经审查决定延长答复期限的，应当经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过二十个工作日。\n第三章　附则\n第六条　本规范自2025年6月1日起施行，有效期五年。",
            ),
            ..rules_v1
        };
        let mut input = rules_v2.input(office.id);
        input.version_note = Some("答复期限与《条例》一致，由十五个工作日改为二十个工作日；增加延期答复条款".into());
        let v2 = self.revise_document(&staff, v1.id, input).await?;
        self.create_interpretation(
            &staff,
            InterpretationInput {
                title: "图解：《莱芜区政府信息公开申请办理规范》修订要点（示例）".into(),
                form: "graphic".into(),
                media_url: Some("/static/sample-graphic.svg".into()),
                body: "<p>修订后答复期限为二十个工作日，并明确延期答复程序。</p>".into(),
                document_ids: vec![v2.id],
                ..Default::default()
            },
        )
        .await?;
        self.push_through(&staff, v2.id).await?;
        let _ = i1;

        let old_rules = SampleDoc {
            title: "莱芜区政务公开工作考核办法（示例）",
            doc_no: Some("莱政办发〔2021〕12号"),
            category: "其他文件",
            topic: "综合政务\\政务公开",
            signed: "2021-08-02",
            published: "2021-08-05",
            effective: Some("2021-08-05"),
            expires: None,
            body: "第一条　为推动政务公开工作落实，制定本办法。\n第二条　考核采取日常监测与年度评估相结合的方式。\n第三条　考核结果纳入年度综合考核。".into(),
        };
        let old = self.create_document(&staff, old_rules.input(office.id)).await?;
        self.push_through(&staff, old.id).await?;
        let new_rules = SampleDoc {
            title: "莱芜区政务公开效能监测办法（示例）",
            doc_no: Some("莱政办发〔2025〕15号"),
            signed: "2025-09-01",
            published: "2025-09-05",
            effective: Some("2025-10-01"),
            body: "第一条　为完善政务公开效能监测体系，制定本办法。\n第二条　监测采取日常监测、专项监测、年度监测相结合的方式。\n第三条　《莱芜区政务公开工作考核办法（示例）》（莱政办发〔2021〕12号）同时废止。".into(),
            ..old_rules
        };
        let new = self.create_document(&staff, new_rules.input(office.id)).await?;
        self.set_repeals(&staff, new.id, &[old.id]).await?;
        self.push_through(&staff, new.id).await?;

        let edu_staff = Actor { org_id: edu.id, ..Actor::system(edu.id) };
        let benefit = SampleDoc {
            title: "莱芜区学生资助“免申即享”实施办法（示例）",
            doc_no: Some("莱教体发〔2024〕6号"),
            category: "行政规范性文件",
            topic: "科技、教育\\教育",
            signed: "2024-01-20",
            published: "2024-01-25",
            effective: Some("2024-02-01"),
            expires: Some("2027-01-31"),
            body: "第一条　为让符合条件的学生免于申请即可享受资助，制定本办法。\n第二条　区教育和体育局依据民政、残联等部门共享数据，主动确定资助对象。\n第三条　资助资金直接发放至学生或监护人账户，无需提交申请材料。\n第四条　本办法自2024年2月1日起施行，有效期至2027年1月31日。".into(),
        };
        let b = self.create_document(&edu_staff, benefit.input(edu.id)).await?;
        self.create_interpretation(
            &edu_staff,
            InterpretationInput {
                title: "专家解读：学生资助“免申即享”让政策找人（示例）".into(),
                form: "expert".into(),
                author: Some("某高校公共管理学院教授（示例）".into()),
                body: "<p>“免申即享”通过部门数据共享，把“人找政策”变为“政策找人”。</p>".into(),
                document_ids: vec![b.id],
                ..Default::default()
            },
        )
        .await?;
        self.push_through(&edu_staff, b.id).await?;

        let notice = SampleDoc {
            title: "关于做好2025年义务教育学校招生入学工作的通知（示例）",
            doc_no: Some("莱教体发〔2025〕11号"),
            category: "其他文件",
            topic: "科技、教育\\教育",
            signed: "2025-06-10",
            published: "2025-06-12",
            effective: None,
            expires: None,
            body: "各街道（镇）教育办公室，区直各学校：\n为做好2025年义务教育学校招生入学工作，现将有关事项通知如下。\n一、坚持免试就近入学。\n二、严格落实招生政策公开，招生范围、招生计划、招生结果在学校网站和公示栏同步公开。\n济南市莱芜区教育和体育局（示例）".into(),
        };
        let n = self.create_document(&edu_staff, notice.input(edu.id)).await?;
        self.push_through(&edu_staff, n.id).await?;
        // A draft left in the workflow, so the console shows one.
        let mut draft = notice.input(edu.id);
        draft.title = "关于开展2025年秋季学期校园安全检查的通知（示例，草稿）".into();
        draft.doc_no = None;
        draft.published_on = None;
        self.create_document(&edu_staff, draft).await?;
        Ok(())
    }

    async fn demo_request_id(&self, tracking_no: &str) -> Result<Option<i64>> {
        use gongkai_store::sea_orm::{ColumnTrait, QueryFilter};
        Ok(gongkai_store::info_request::Entity::find()
            .filter(gongkai_store::info_request::Column::TrackingNo.eq(tracking_no))
            .one(self.store.conn())
            .await?
            .map(|m| m.id))
    }

    /// A few requests at different stages, dated back from today, so the console's queue,
    /// the case library and the annual report of a demo have something to show. Separate
    /// from [`App::load_demo`] because they move with the date (tests keep a fixed demo).
    /// Needs this year's calendar.
    pub async fn load_demo_requests(&self) -> Result<()> {
        let orgs = self.orgs().await?;
        let find = |kind: &str, code: &str| {
            orgs.iter()
                .find(|o| o.kind.code() == kind && o.issuer_code.as_deref().unwrap_or("").starts_with(code))
                .map(|o| o.id)
                .ok_or_else(|| crate::AppError::NotFound("示例机构不存在".into()))
        };
        let (office, edu) = (find("office", "")?, find("department", "莱教")?);
        use crate::requests::{NewRequest, StepInput};
        use gongkai_domain::request::Application;
        let cli = Actor { org_id: office, ..Actor::system(office) };
        let today = self.today();
        let ago = |n: i64| (today - time::Duration::days(n)).to_string();
        let person = |name: &str, description: &str| Application {
            applicant_kind: "natural".into(),
            name: name.into(),
            id_number: "11010519491231002X".into(),
            phone: "13800000000".into(),
            email: Some("applicant@example.cn".into()),
            description: description.into(),
            medium: "electronic".into(),
            collect_by: "email".into(),
            ..Default::default()
        };
        let submit = |app: Application, org_id: i64, channel: &str, received: String| NewRequest {
            application: app,
            org_id,
            intake_channel: Some(channel.into()),
            received_on: Some(received),
            ..Default::default()
        };
        let step = |kind: &str, on: String| StepInput { kind: kind.into(), on_date: on, ..Default::default() };
        // Online today.
        self.submit_request(
            None,
            submit(person("张三（示例）", "2025年本区老旧小区改造计划及资金安排"), office, "online", today.to_string()),
        )
        .await?;
        // In person, nearly due, with its handler.
        let r = self
            .submit_request(
                Some(&cli),
                submit(
                    person("李四（示例）", "凤城街道2025年道路维修工程的招标公告和中标结果"),
                    office,
                    "in_person",
                    ago(26),
                ),
            )
            .await?;
        if let Some(id) = self.demo_request_id(&r.tracking_no).await? {
            let handler = gongkai_store::app_user::Entity::find()
                .all(self.store.conn())
                .await?
                .into_iter()
                .find(|u| u.username == "office")
                .map(|u| u.id);
            self.record_request_step(&cli, id, StepInput { to_user_id: handler, ..step("assign", ago(25)) }).await?;
        }
        // By post to the education bureau, waiting for 补正.
        let r = self
            .submit_request(Some(&cli), submit(person("王五（示例）", "学校的有关文件"), edu, "post_signed", ago(12)))
            .await?;
        if let Some(id) = self.demo_request_id(&r.tracking_no).await? {
            let ask = StepInput {
                note: Some("请说明所需文件的名称、年份或文号".into()),
                due_by: Some(ago(1)),
                ..step("clarification", ago(10))
            };
            self.record_request_step(&cli, id, ask).await?;
        }
        // Answered and delivered, then written up for the case library.
        let r = self
            .submit_request(
                Some(&cli),
                submit(person("赵六（示例）", "2025年莱芜区政务公开工作要点"), office, "in_person", ago(40)),
            )
            .await?;
        if let Some(id) = self.demo_request_id(&r.tracking_no).await? {
            let decide = StepInput {
                outcome: Some("disclose".into()),
                basis: Some("《中华人民共和国政府信息公开条例》第三十六条第（一）项".into()),
                ..step("decision", ago(30))
            };
            self.record_request_step(&cli, id, decide).await?;
            let deliver = StepInput { note: Some("电子邮件送达".into()), ..step("delivery", ago(30)) };
            self.record_request_step(&cli, id, deliver).await?;
            self.publish_case(
                &cli,
                id,
                crate::requests::cases::CaseInput {
                    title: "申请公开本区年度政务公开工作要点".into(),
                    summary: "申请人申请公开本区年度政务公开工作要点。该文件已在区政府门户网站主动公开，本机关告知了获取的方式和途径。".into(),
                    basis: None,
                },
            )
            .await?;
        }
        self.load_demo_messages(&cli, edu).await
    }

    /// 咨询建言 and 领导信箱: two answered and published, one waiting at the district.
    async fn load_demo_messages(&self, cli: &Actor, edu: i64) -> Result<()> {
        use crate::messages::{MessageAnswer, NewMessage};
        let msg = |mailbox: &str, category: &str, org_id: Option<i64>, subject: &str, body: &str| NewMessage {
            mailbox: mailbox.into(),
            category: category.into(),
            org_id,
            subject: subject.into(),
            body: body.into(),
            name: "示例留言人".into(),
            contact: "0634-0000000".into(),
            consent: true,
        };
        let samples = [
            (
                msg(
                    "consult",
                    "policy",
                    Some(edu),
                    "义务教育招生划片范围在哪里查询（示例）",
                    "孩子今年上小学，请问我们小区对应哪所学校？划片范围在哪里可以查到？",
                ),
                Some(
                    "您好！2025年义务教育学校招生范围已在区政府门户网站“政策文件”栏目和各学校公示栏同步公开，可在《关于做好2025年义务教育学校招生入学工作的通知》中查看。感谢您的关注。",
                ),
            ),
            (
                msg(
                    "consult",
                    "business",
                    None,
                    "个体工商户变更经营范围需要哪些材料（示例）",
                    "我在口镇经营一家小超市，想增加经营范围，请问需要准备哪些材料，能否网上办理？",
                ),
                Some(
                    "您好！个体工商户变更经营范围可通过山东省政务服务网在线办理，需提交变更登记申请书和经营者身份证明；涉及许可的项目还需相应的许可文件。",
                ),
            ),
            (
                msg(
                    "leader",
                    "suggestion",
                    None,
                    "建议在凤城街道增设公共自行车站点（示例）",
                    "凤城街道新建小区较多，附近公共自行车站点少，建议在小区集中的路段增设站点，方便居民出行。",
                ),
                None,
            ),
        ];
        for (m, answer) in samples {
            let receipt = self.submit_message(m).await?;
            if let Some(a) = answer {
                let id = gongkai_store::message::by_reference(self.store.conn(), &receipt.reference)
                    .await?
                    .map(|m| m.id)
                    .ok_or_else(|| crate::AppError::Internal("demo message".into()))?;
                let answer = MessageAnswer { answer: a.into(), publish: true, question: None };
                self.answer_message(cli, id, answer).await?;
            }
        }
        Ok(())
    }
}
