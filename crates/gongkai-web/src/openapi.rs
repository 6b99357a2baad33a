//! The OpenAPI 3.1 description served at `/api/openapi.json`, written out by hand so that
//! it states exactly what the handlers accept; the API tests check every path in it exists.

use serde_json::{Value, json};

fn err() -> Value {
    json!({"description": "错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn id_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}})
}

pub fn document() -> Value {
    let errors = json!({"400": err(), "401": err(), "403": err(), "404": err(), "409": err(), "422": err()});
    let with = |ok: Value| {
        let mut r = errors.clone();
        if let Some(m) = r.as_object_mut() {
            m.extend(ok.as_object().cloned().unwrap_or_default());
        }
        r
    };
    let q = |name: &str, desc: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": desc});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "gongkai 政务公开平台 API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "政府文件库的读取、写入和变更订阅。写接口需要 `Authorization: Bearer <token>`（`gongkai token create` 生成）。"},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string", "examples": ["validation_failed"]},
                    "message": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}},
                "DocumentInput": {"type": "object", "required": ["title", "category", "body"], "properties": {
                    "title": {"type": "string", "maxLength": 200}, "org_id": {"type": "integer"}, "issuer": {"type": "string"},
                    "co_issuers": {"type": "array", "items": {"type": "string"}},
                    "doc_no": {"type": "string", "description": "发文字号，如 莱政办发〔2025〕5号"},
                    "kind": {"type": "string", "description": "文种：通知、意见……或 circular、opinion……"},
                    "category": {"type": "string", "enum": ["rules", "normative", "other", "规章", "行政规范性文件", "其他文件"]},
                    "topic": {"type": "string"}, "signed_on": {"type": "string", "format": "date"}, "published_on": {"type": "string", "format": "date"},
                    "effective_on": {"type": "string", "format": "date"}, "expires_on": {"type": "string", "format": "date"},
                    "disclosure_mode": {"type": "string", "enum": ["proactive", "on_request", "withheld"]}, "withheld_reason": {"type": "string"},
                    "keywords": {"type": "string"}, "body": {"type": "string"}, "version_note": {"type": "string"}}},
                "Document": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "family_id": {"type": "integer"}, "version_no": {"type": "integer"}, "index_no": {"type": "string"},
                    "title": {"type": "string"}, "issuer": {"type": "string"}, "doc_no": {"type": ["string", "null"]}, "category": {"type": "string"},
                    "validity": {"type": "string", "enum": ["in_force", "amended", "repealed", "expired"]}, "status": {"type": "string"},
                    "published_on": {"type": ["string", "null"], "format": "date"}}},
                "Action": {"type": "object", "required": ["action"], "properties": {
                    "action": {"type": "string", "enum": ["submit", "approve", "reject", "publish", "withdraw", "set_repeals"]},
                    "reason": {"type": "string"}, "publish_at": {"type": "string", "description": "YYYY-MM-DDTHH:MM（北京时间）或 RFC 3339"},
                    "repeals": {"type": "array", "items": {"type": "integer"}}}},
                "InterpretationInput": {"type": "object", "required": ["title", "form", "document_ids"], "properties": {
                    "title": {"type": "string"}, "form": {"type": "string", "enum": ["text", "graphic", "video", "h5", "expert", "media"]},
                    "author": {"type": "string"}, "body": {"type": "string"}, "media_url": {"type": "string"},
                    "document_ids": {"type": "array", "items": {"type": "integer"}}}}
            }
        },
        "paths": {
            "/api/v1/documents": {
                "get": {"summary": "文件列表（筛选、分页）", "parameters": [q("issuer", "发文机关"), q("topic", "主题分类"), q("category", "文件类别"), q("kind", "文种"), q("year", "发布年份"), q("validity", "有效性"), q("q", "标题包含"), q("doc_no", "发文字号（常见写法均可）"), q("status", "状态（仅工作人员）"), q("imported", "hide：不含导入的法律法规；only：只看导入的"), q("page", "页码"), q("per_page", "每页条数，1–100")],
                        "responses": with(json!({"200": {"description": "一页文件"}}))},
                "post": {"summary": "起草文件", "security": [{"bearer": []}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DocumentInput"}}}},
                         "responses": with(json!({"201": {"description": "已创建草稿", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}}}))}
            },
            "/api/v1/documents/{id}": {
                "get": {"summary": "文件详情，含历次版本、解读和附件", "parameters": [id_param(), q("as_of", "YYYY-MM-DD：显示该日施行的版本")], "responses": with(json!({"200": {"description": "文件"}}))},
                "put": {"summary": "修改草稿", "security": [{"bearer": []}], "parameters": [id_param()], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DocumentInput"}}}}, "responses": with(json!({"200": {"description": "已保存"}}))}
            },
            "/api/v1/documents/{id}/actions": {
                "post": {"summary": "办理：提交、审核、退回、发布（可定时）、撤回、设置废止", "security": [{"bearer": []}], "parameters": [id_param()], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Action"}}}}, "responses": with(json!({"200": {"description": "新的状态"}}))}
            },
            "/api/v1/documents/{id}/revisions": {
                "post": {"summary": "修订：以已发布版本为基础生成新版本草稿", "security": [{"bearer": []}], "parameters": [id_param()], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DocumentInput"}}}}, "responses": with(json!({"201": {"description": "新版本草稿"}}))}
            },
            "/api/v1/documents/{id}/diff": {
                "get": {"summary": "两个版本的差异（句、字两级）", "parameters": [id_param(), q("from", "旧版本编号"), q("to", "新版本编号")], "responses": with(json!({"200": {"description": "差异"}}))}
            },
            "/api/v1/interpretations": {
                "get": {"summary": "政策解读列表", "parameters": [q("page", "页码"), q("per_page", "每页条数")], "responses": with(json!({"200": {"description": "解读"}}))},
                "post": {"summary": "添加解读", "security": [{"bearer": []}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InterpretationInput"}}}}, "responses": with(json!({"201": {"description": "已添加"}}))}
            },
            "/api/v1/interpretations/{id}": {"get": {"summary": "解读详情", "parameters": [id_param()], "responses": with(json!({"200": {"description": "解读"}}))}},
            "/api/v1/interpretations/{id}/actions": {"post": {"summary": "解读审核：提交（submit）、审核通过（approve，四眼原则）、退回（reject，须写原因）；已公开文件的解读在最后一级审核通过后发布", "security": [{"bearer": []}], "parameters": [id_param()],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["action"], "properties": {"action": {"type": "string", "enum": ["submit", "approve", "reject"]}, "reason": {"type": "string"}}}}}},
                "responses": with(json!({"200": {"description": "解读的新状态"}}))}},
            "/api/v1/changes": {
                "get": {"summary": "变更订阅：按提交顺序列出新发布、修改和撤回的记录", "parameters": [q("since", "上次读到的游标（next_cursor）"), q("limit", "1–500")], "responses": with(json!({"200": {"description": "一页变更，含 next_cursor 和 has_more"}}))}
            },
            "/api/v1/search": {
                "get": {"summary": "全文检索：分词与二元切分、文号/索引号精确查找、短语、排除词、筛选、分面计数、摘要高亮", "parameters": [q("q", "检索词"), q("source", "内容类型：document（文件）或 interpretation（政策解读）"), q("issuer", "发文机关"), q("category", "文件类别"), q("kind", "文种"), q("topic", "主题分类"), q("year", "年份"), q("validity", "有效性"), q("sort", "relevance 或 date"), q("page", "页码"), q("per_page", "每页条数，1–50")],
                        "responses": with(json!({"200": {"description": "total、hits（source、id、url、title、doc_no、snippet、validity、published_on、current）、facets、relaxed（无结果同时包含全部检索词时放宽为任一词）与 did_you_mean（相近的文件标题）"}, "503": err()}))}
            },
            "/api/v1/passages": {
                "get": {"summary": "相关条款：按问题检索文件条款，附出处", "parameters": [q("q", "问题"), q("k", "条数，1–50")], "responses": with(json!({"200": {"description": "passages：doc_id、title、label、version_no、snippet"}}))}
            },
            "/api/v1/suggest": {
                "get": {"summary": "输入提示：标题包含已输入文字的现行文件", "parameters": [q("q", "已输入的文字（至少2个字）"), q("k", "条数，1–20")], "responses": with(json!({"200": {"description": "suggestions：title、url"}}))}
            },
            "/api/v1/requests": {
                "get": {"summary": "督办队列：未办结申请按答复期限排序，剩余5、3、1个工作日预警，逾期标注；公开办可见全部机关", "security": [{"bearer": []}], "responses": with(json!({"200": {"description": "items：tracking_no、status、due_on、working_days_left、warning"}}))},
                "post": {"summary": "提交政府信息公开申请（公众无需登录；持令牌的工作人员可登记当面、邮寄、传真申请及收到日期）", "requestBody": request_body(),
                         "responses": with(json!({"201": {"description": "tracking_no（受理编号）、query_code（查询码，只显示一次）、received_on、due_on（答复期限）与 due（逐日计算过程）；期限跨入尚未导入节假日安排的年份时，申请照常受理，due_on 为 null，due_note 说明原因，导入后自动计算"}}))}
            },
            "/api/v1/requests/{id}": {"get": {"summary": "申请详情（工作人员；含申请人信息、办理记录与答复期限的逐日计算）", "security": [{"bearer": []}], "parameters": [id_param()], "responses": with(json!({"200": {"description": "request（含 assignee_id、outcome）、events、due（逐日计算）、stopped（暂停原因）、deadlines（补正、征求意见答复、缴费等其他期限及其计算）、assignee、attachments"}}))}},
            "/api/v1/requests/{id}/events": {"post": {"summary": "登记办理环节（按条例逐项校验，状态与答复期限由办理记录重新计算）", "security": [{"bearer": []}], "parameters": [id_param()], "requestBody": event_body(), "responses": with(json!({"201": {"description": "更新后的申请详情"}}))}},
            "/api/v1/reports/annual": {"get": {"summary": "政府信息公开工作年度报告第三部分（2021年格式）：按申请人类型统计的收到和处理申请情况，由办理记录计算并校验勾稽关系", "security": [{"bearer": []}], "parameters": [q("year", "年份"), q("org", "机关编号（公开办可省略，统计全区）")], "responses": with(json!({"200": {"description": "part2：规章与行政规范性文件的本年制发、本年废止、现行有效件数（由文件库计算）及填报数据；part3：columns 与 rows（label、level、values）；part4：行政复议、行政诉讼（groups × columns）"}}))}},
            "/api/v1/requests/{id}/fee": {"get": {"summary": "信息处理费测算（国办函〔2020〕109号）：按件（同一申请人当月累计）或按量（按页），显示分档计算过程", "security": [{"bearer": []}], "parameters": [id_param(), q("basis", "per_request 或 per_page"), q("pages", "按量计收的页数")], "responses": with(json!({"200": {"description": "fee（bands、total_yuan）与 explain"}}))}},
            "/api/v1/requests/{id}/reviews": {"post": {"summary": "登记行政复议、行政诉讼及其结果（维持、纠正、其他、尚未审结），计入年度报告第四部分", "security": [{"bearer": []}], "parameters": [id_param()], "responses": with(json!({"201": {"description": "已登记"}}))}},
            "/api/v1/requests/{id}/case": {"post": {"summary": "把已答复的申请编入依申请公开案例库（标题与摘要由工作人员撰写，含申请人个人信息的将被拒绝）", "security": [{"bearer": []}], "parameters": [id_param()], "responses": with(json!({"201": {"description": "案例"}}))}},
            "/api/v1/requests/suggestions": {"get": {"summary": "依申请转主动建议：近12个月内同一机关收到的内容相近的多件申请", "security": [{"bearer": []}], "responses": with(json!({"200": {"description": "suggestions：org_id、requests（受理编号与申请内容）"}}))}},
            "/api/v1/cases": {"get": {"summary": "依申请公开案例库（不含申请人信息）", "parameters": [q("page", "页码")], "responses": with(json!({"200": {"description": "items、total、page"}}))}},
            "/api/v1/cases/{id}": {"get": {"summary": "案例详情", "parameters": [id_param()], "responses": with(json!({"200": {"description": "案例"}}))}},
            "/api/v1/requests/{id}/export": {"get": {"summary": "导出整件申请（市级平台交换格式 gongkai.request.v2：申请、办理环节、复议诉讼；含申请人信息，仅限工作人员，记入审计；指定承办人和转交为本系统内部环节，不导出）", "security": [{"bearer": []}], "parameters": [id_param()], "responses": with(json!({"200": {"description": "format、tracking_no、org_credit_code、channel、received_on、status、application、events（kind、on_date、note，以及环节所需的 days、approver、outcome、basis、party、due_by、amount）、reviews"}}))}},
            "/api/v1/requests/import": {"post": {"summary": "导入市级平台转来的整件申请（公开办；按同样规则校验，一次事务写入，返回新的查询码）", "security": [{"bearer": []}], "responses": with(json!({"201": {"description": "id、query_code"}}))}},
            "/api/v1/requests/{id}/letter": {
                "get": {"summary": "答复书/告知书：按答复结果生成的草稿（引用法律依据、告知救济途径），或已保存的修改稿", "security": [{"bearer": []}], "parameters": [id_param()], "responses": with(json!({"200": {"description": "title、text、saved、sent"}}))},
                "put": {"summary": "保存修改后的答复书（送达后不能再改）", "security": [{"bearer": []}], "parameters": [id_param()], "responses": with(json!({"200": {"description": "保存后的答复书"}}))}
            },
            "/api/v1/requests/{id}/attachments/{aid}": {"get": {"summary": "下载申请人提交的附件（仅限办理机关和公开办工作人员；详情中的 attachments 列出附件）", "security": [{"bearer": []}], "parameters": [id_param(), {"name": "aid", "in": "path", "required": true, "schema": {"type": "integer"}}], "responses": with(json!({"200": {"description": "文件"}}))}},
            "/api/v1/requests/{id}/letter.docx": {"get": {"summary": "下载答复书（.docx）", "security": [{"bearer": []}], "parameters": [id_param()], "responses": with(json!({"200": {"description": "Word 文档"}}))}},
            "/api/v1/reports/annual/figures": {"put": {"summary": "填报年度报告第二部分中文件库以外的数据：行政许可、行政处罚、行政强制的本年处理决定数量，行政事业性收费（万元）", "security": [{"bearer": []}], "responses": with(json!({"204": {"description": "已保存"}}))}},
            "/api/v1/reports/annual.docx": {"get": {"summary": "年度报告统计表（第二、三、四部分）导出为 Word", "security": [{"bearer": []}], "parameters": [q("year", "年份"), q("org", "机关编号")], "responses": with(json!({"200": {"description": ".docx"}}))}},
            "/api/v1/reports/annual.xlsx": {"get": {"summary": "年度报告统计表导出为 Excel（每部分一个工作表）", "security": [{"bearer": []}], "parameters": [q("year", "年份"), q("org", "机关编号")], "responses": with(json!({"200": {"description": ".xlsx"}}))}},
            "/api/v1/requests/track": {
                "get": {"summary": "按受理编号和查询码查询办理进度（不含个人信息）", "parameters": [q("tracking_no", "受理编号"), q("query_code", "查询码")], "responses": with(json!({"200": {"description": "机关、收到日期、答复期限、状态与办理记录"}}))}
            },
            "/api/v1/orgs": {"get": {"summary": "机构", "responses": {"200": {"description": "机构列表"}}}}
        }
    })
}

/// The body of `POST /api/v1/requests/{id}/events`.
fn event_body() -> Value {
    let s = |d: &str| json!({"type": "string", "description": d});
    json!({"required": true, "content": {"application/json": {"schema": {
        "type": "object",
        "required": ["kind", "on_date"],
        "properties": {
            "kind": {"type": "string", "enum": ["clarification", "clarified", "consultation", "consultation_reply", "joint_review", "extension", "fee_notice", "fee_paid", "assign", "transfer", "decision", "delivery"],
                     "description": "clarification：补正告知（收到申请7个工作日内、仅一次，须填 due_by 补正期限；申请人补正前答复期限暂停，收到补正后重新起算）；consultation / consultation_reply：征求第三方或其他机关意见及其答复（期间不计入期限）；joint_review：联合会商意见；extension：延长（≤20个工作日，须填批准人，期限届满前）；fee_notice / fee_paid：收费通知（金额、计费方式；缴费期限为收到通知次日起20个工作日，缴费前期限暂停）与缴费；assign：指定本机关承办人；transfer：转交其他机关办理；decision：答复决定；delivery：送达"},
            "on_date": {"type": "string", "format": "date", "description": "发生之日，不早于上一环节、不晚于今天"},
            "note": s("说明；补正事项、征求意见对象、会商意见、转交理由、送达方式等"),
            "due_by": {"type": "string", "format": "date", "description": "clarification：给申请人的补正期限"},
            "party": s("consultation：third_party 或 agency；joint_review：会商机关；fee_notice：per_request 或 per_page"),
            "days": {"type": "integer", "minimum": 1, "maximum": 20, "description": "extension：延长的工作日数"},
            "approver": s("extension：批准人（政府信息公开工作机构负责人）"),
            "amount": {"type": "integer", "minimum": 1, "description": "fee_notice：金额（元）"},
            "outcome": s("decision：年度报告规定的答复结果类别（代码或名称）；“申请人无正当理由逾期不补正”“逾期未缴费”须在相应期限届满后"),
            "basis": s("decision：法律依据，如 第三十六条第（三）项"),
            "to_user_id": {"type": "integer", "description": "assign：承办人（本机关在职工作人员）"},
            "to_org_id": {"type": "integer", "description": "transfer：转交的机关"}
        }
    }}}})
}

/// The body of `POST /api/v1/requests` (its own function: one `json!` this deep exceeds the
/// macro recursion limit).
fn request_body() -> Value {
    let e = |values: &[&str]| json!({"type": "string", "enum": values});
    let s = |d: &str| json!({"type": "string", "description": d});
    json!({"required": true, "content": {"application/json": {"schema": {
        "type": "object",
        "required": ["applicant_kind", "name", "id_number", "phone", "description", "medium", "delivery", "org_id"],
        "properties": {
            "applicant_kind": e(&["natural", "commercial", "research", "public_welfare", "legal_service", "other_org"]),
            "name": s("姓名或名称"),
            "id_number": s("自然人：18位居民身份证号码（校验位）；法人或其他组织：统一社会信用代码"),
            "contact_person": s("法人或其他组织的联系人"),
            "phone": s("联系电话"),
            "email": s("电子邮箱（选择电子邮件获取时必填）"),
            "address": s("通信地址（选择邮寄时必填）"),
            "description": s("所需信息的名称、文号或其他特征性描述"),
            "purpose": s("用途（选填）"),
            "medium": e(&["paper", "electronic"]),
            "delivery": e(&["email", "post", "pickup", "online"]),
            "org_id": {"type": "integer", "description": "受理申请的机关"},
            "channel": e(&["online", "in_person", "post_signed", "post_unsigned", "fax"]),
            "received_on": {"type": "string", "format": "date", "description": "工作人员登记时：按渠道规则确定的收到申请之日"}
        }
    }}}})
}
