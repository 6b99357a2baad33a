//! Users, sessions, API tokens and login lock-out.

use crate::{Actor, App, AppError, Result, random_hex, sha256_hex};
use gongkai_domain::Role;
use gongkai_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use gongkai_store::{api_token, app_user, org, session};
use serde::{Deserialize, Serialize};
use time::Duration;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    pub role: String,
    /// Credit code or id of the organisation.
    pub org: String,
    pub password: String,
    /// Where daily reminders are e-mailed.
    pub email: Option<String>,
}

/// A logged-in browser session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub token: String,
    pub csrf_token: String,
}

pub const MIN_PASSWORD_LEN: usize = 10;

/// A staff account as the console lists it; the password hash never leaves the store.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: i64,
    /// Where daily reminders go, when SMTP is configured.
    pub email: Option<String>,
    /// Locked after too many wrong passwords (until the time passes or an admin unlocks).
    pub locked: bool,
    pub active: bool,
    pub created_at: time::OffsetDateTime,
}

impl User {
    fn of(m: app_user::Model) -> Result<User> {
        let role = Role::parse(&m.role).ok_or_else(|| AppError::Internal(format!("unknown role {}", m.role)))?;
        Ok(User {
            id: m.id,
            username: m.username,
            display_name: m.display_name,
            role,
            org_id: m.org_id,
            email: m.email,
            locked: m.locked_until.is_some(),
            active: m.active,
            created_at: m.created_at,
        })
    }
}

fn users_of(rows: Vec<app_user::Model>) -> Result<Vec<User>> {
    rows.into_iter().map(User::of).collect()
}

fn to_actor(u: &app_user::Model) -> Result<Actor> {
    Ok(Actor {
        user_id: Some(u.id),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: Role::parse(&u.role).ok_or_else(|| AppError::Internal(format!("unknown role {}", u.role)))?,
        org_id: u.org_id,
    })
}

impl App {
    /// An organisation by id or 统一社会信用代码 (the command line names them so).
    pub async fn find_org(&self, key: &str) -> Result<crate::orgs::Org> {
        crate::orgs::Org::of(self.find_org_row(key).await?)
    }

    pub(crate) async fn find_org_row(&self, key: &str) -> Result<org::Model> {
        let key = key.trim();
        let found = match key.parse::<i64>() {
            Ok(id) if key.len() < 18 => org::Entity::find_by_id(id).one(self.store.conn()).await?,
            _ => {
                org::Entity::find()
                    .filter(org::Column::CreditCode.eq(key.to_ascii_uppercase()))
                    .one(self.store.conn())
                    .await?
            }
        };
        found.ok_or_else(|| AppError::NotFound(format!("找不到机构“{key}”")))
    }

    /// Adds a user. Only administrators (or the command line) may.
    pub async fn add_user(&self, actor: &Actor, u: NewUser) -> Result<User> {
        if !actor.role.can_manage_users() {
            return Err(AppError::Forbidden("只有系统管理员可以添加用户".into()));
        }
        let mut errs = Vec::new();
        let username = u.username.trim().to_string();
        if username.is_empty()
            || username.len() > 64
            || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            errs.push(gongkai_domain::FieldError::new("username", "用户名应为1–64位字母、数字或 . _ -"));
        }
        let role = Role::parse(&u.role);
        if role.is_none() {
            errs.push(gongkai_domain::FieldError::new(
                "role",
                "角色应为系统管理员（admin）、公开办（office）、编辑（editor）或审核员（reviewer）",
            ));
        }
        if u.password.chars().count() < MIN_PASSWORD_LEN {
            errs.push(gongkai_domain::FieldError::new("password", format!("密码至少{MIN_PASSWORD_LEN}位")));
        }
        let email = crate::opt(&u.email);
        if email.as_deref().is_some_and(|e| !gongkai_domain::request::is_email(e)) {
            errs.push(gongkai_domain::FieldError::new("email", "电子邮箱格式不正确"));
        }
        if u.org.trim().is_empty() {
            errs.push(gongkai_domain::FieldError::new("org", "请选择机构"));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let org = self.find_org_row(&u.org).await.map_err(|e| match e {
            AppError::NotFound(m) => AppError::field("org", m),
            e => e,
        })?;
        let hash = {
            let pw = u.password.clone();
            tokio::task::spawn_blocking(move || password_auth::generate_hash(pw))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
        };
        let tx = self.store.begin_write().await?;
        if app_user::Entity::find().filter(app_user::Column::Username.eq(&username)).one(&*tx).await?.is_some() {
            return Err(AppError::Conflict(format!("用户名“{username}”已存在")));
        }
        let m = app_user::ActiveModel {
            username: Set(username.clone()),
            display_name: Set(crate::opt(&u.display_name).unwrap_or_else(|| username.clone())),
            role: Set(role.map(|r| r.code()).unwrap_or_default().to_string()),
            org_id: Set(org.id),
            password_hash: Set(hash),
            failed_logins: Set(0),
            locked_until: Set(None),
            active: Set(true),
            created_at: Set(self.now()),
            email: Set(email),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        self.audit(
            &*tx,
            actor,
            "user.create",
            "user",
            Some(m.id),
            None,
            Some(serde_json::to_value(&m).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        User::of(m)
    }

    /// Changes a user's reminder e-mail address: administrators for anyone, everyone for
    /// themselves. An empty address removes it.
    pub async fn set_user_email(&self, actor: &Actor, user_id: i64, email: &str) -> Result<User> {
        if !actor.role.can_manage_users() && actor.user_id != Some(user_id) {
            return Err(AppError::Forbidden("只能修改自己的电子邮箱".into()));
        }
        let email = email.trim();
        if !email.is_empty() && !gongkai_domain::request::is_email(email) {
            return Err(AppError::field("email", "电子邮箱格式不正确"));
        }
        let tx = self.store.begin_write().await?;
        let u = app_user::Entity::find_by_id(user_id)
            .one(&*tx)
            .await?
            .ok_or_else(|| AppError::NotFound("没有这个用户".into()))?;
        let before = u.email.clone();
        let mut am: app_user::ActiveModel = u.into();
        am.email = Set((!email.is_empty()).then(|| email.to_string()));
        let m = am.update(&*tx).await?;
        self.audit(
            &*tx,
            actor,
            "user.email",
            "user",
            Some(user_id),
            Some(serde_json::json!({ "email": before })),
            Some(serde_json::json!({ "email": m.email })),
        )
        .await?;
        tx.commit().await?;
        User::of(m)
    }

    /// Active staff of an organisation, for choosing who handles a request.
    pub async fn staff_of(&self, actor: &Actor, org_id: i64) -> Result<Vec<User>> {
        if !actor.may_see_org(org_id) {
            return Err(AppError::Forbidden("只能查看本机关的工作人员".into()));
        }
        users_of(
            app_user::Entity::find()
                .filter(app_user::Column::OrgId.eq(org_id))
                .filter(app_user::Column::Active.eq(true))
                .filter(app_user::Column::Role.ne(Role::Admin.code()))
                .order_by_asc(app_user::Column::Id)
                .all(self.store.conn())
                .await?,
        )
    }

    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("无权查看用户列表".into()));
        }
        users_of(app_user::Entity::find().order_by_asc(app_user::Column::Id).all(self.store.conn()).await?)
    }

    /// A fresh random token for a double-submit cookie (the login form has no session yet).
    pub fn form_token() -> String {
        random_hex(16)
    }

    /// [`App::login_from`] without a known source address (the command line, tests).
    pub async fn login(&self, username: &str, password: &str) -> Result<(Actor, SessionInfo)> {
        self.login_from(username, password, None).await
    }

    /// How many passwords have been checked (each costs one Argon2id verification, for
    /// unknown user names too, so the answer's timing tells nothing).
    pub fn password_checks(&self) -> u64 {
        self.password_checks.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Checks a password. Failures in a row under one user name, or from one source
    /// address, make further tries wait (`domain::login`), counted atomically; a wrong user
    /// name and a wrong password get the same answer after the same work.
    pub async fn login_from(
        &self,
        username: &str,
        password: &str,
        source: Option<&str>,
    ) -> Result<(Actor, SessionInfo)> {
        use gongkai_store::login_throttle as throttle;
        let generic = || AppError::Forbidden("用户名或密码错误".into());
        let name = username.trim().to_lowercase();
        let keys: Vec<String> =
            std::iter::once(format!("user:{name}")).chain(source.map(|a| format!("addr:{a}"))).collect();
        let now = self.now();
        for k in &keys {
            if let Some(wait) =
                throttle::get(self.store.conn(), k).await?.and_then(|t| t.wait_until).filter(|w| *w > now)
            {
                return Err(AppError::Locked(gongkai_domain::login::throttled_message(wait - now)));
            }
        }
        let user = app_user::Entity::find()
            .filter(app_user::Column::Username.eq(username.trim()))
            .one(self.store.conn())
            .await?
            .filter(|u| u.active);
        let ok = {
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let hash = match &user {
                Some(u) => u.password_hash.clone(),
                None => DUMMY.get_or_init(|| password_auth::generate_hash("no such user")).clone(),
            };
            let pw = password.to_string();
            self.password_checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let verified = tokio::task::spawn_blocking(move || password_auth::verify_password(pw, &hash).is_ok())
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            verified && user.is_some()
        };
        let tx = self.store.begin_write().await?;
        let Some(user) = user.filter(|_| ok) else {
            let (threshold, cap) =
                (self.config.lockout_threshold.max(1) as u32, Duration::minutes(self.config.lockout_minutes));
            for k in &keys {
                throttle::fail(&*tx, k, now, |n| gongkai_domain::login::throttle_delay(n, threshold, cap)).await?;
            }
            if let Some(u) =
                app_user::Entity::find().filter(app_user::Column::Username.eq(username.trim())).one(&*tx).await?
            {
                self.audit(&*tx, &to_actor(&u)?, "user.login_failed", "user", Some(u.id), None, None).await?;
            }
            tx.commit().await?;
            return Err(generic());
        };
        let actor = to_actor(&user)?;
        throttle::clear(&*tx, &keys[0]).await?;
        // Expired sessions go when someone logs in (and with the hourly clean-up job).
        session::Entity::delete_many().filter(session::Column::ExpiresAt.lte(now)).exec(&*tx).await?;
        let token = random_hex(32);
        let csrf = random_hex(16);
        session::ActiveModel {
            id: Set(sha256_hex(&token)),
            user_id: Set(user.id),
            csrf_token: Set(csrf.clone()),
            created_at: Set(now),
            expires_at: Set(now + Duration::hours(self.config.session_hours)),
            last_seen_at: Set(Some(now)),
        }
        .insert(&*tx)
        .await?;
        self.audit(&*tx, &actor, "user.login", "user", Some(user.id), None, None).await?;
        tx.commit().await?;
        Ok((actor, SessionInfo { token, csrf_token: csrf }))
    }

    /// The user behind a session cookie, with the session's CSRF token.
    pub async fn session_actor(&self, token: &str) -> Result<Option<(Actor, String)>> {
        let Some(s) = session::Entity::find_by_id(sha256_hex(token)).one(self.store.conn()).await? else {
            return Ok(None);
        };
        let now = self.now();
        let idle = Duration::minutes(self.config.session_idle_minutes);
        let last = s.last_seen_at.unwrap_or(s.created_at);
        if s.expires_at <= now || now - last > idle {
            // Ended: by its absolute limit, or left unused for too long.
            session::Entity::delete_by_id(s.id.clone()).exec(self.store.conn()).await?;
            return Ok(None);
        }
        // Written at most once a minute: a page of the console is several requests.
        if now - last > Duration::minutes(1) {
            let mut am: session::ActiveModel = s.clone().into();
            am.last_seen_at = Set(Some(now));
            am.update(self.store.conn()).await?;
        }
        let Some(u) = app_user::Entity::find_by_id(s.user_id).one(self.store.conn()).await? else {
            return Ok(None);
        };
        if !u.active {
            return Ok(None);
        }
        Ok(Some((to_actor(&u)?, s.csrf_token)))
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        session::Entity::delete_by_id(sha256_hex(token)).exec(self.store.conn()).await?;
        Ok(())
    }

    /// Creates an API token for a user; the token is shown once and stored only as a hash.
    pub async fn create_token(&self, actor: &Actor, username: &str, name: &str) -> Result<String> {
        if !actor.role.can_manage_users() {
            return Err(AppError::Forbidden("只有系统管理员可以创建接口令牌".into()));
        }
        let user = app_user::Entity::find()
            .filter(app_user::Column::Username.eq(username.trim()))
            .one(self.store.conn())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("找不到用户“{username}”")))?;
        let token = format!("gk_{}", random_hex(24));
        let tx = self.store.begin_write().await?;
        let m = api_token::ActiveModel {
            name: Set(if name.trim().is_empty() { "api".into() } else { name.trim().to_string() }),
            user_id: Set(user.id),
            token_hash: Set(sha256_hex(&token)),
            created_at: Set(self.now()),
            last_used_at: Set(None),
            revoked: Set(false),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        self.audit(
            &*tx,
            actor,
            "token.create",
            "api_token",
            Some(m.id),
            None,
            Some(serde_json::json!({"user": user.username, "name": m.name})),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn token_actor(&self, token: &str) -> Result<Option<Actor>> {
        let Some(t) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(sha256_hex(token.trim())))
            .one(self.store.conn())
            .await?
        else {
            return Ok(None);
        };
        if t.revoked {
            return Ok(None);
        }
        let Some(u) = app_user::Entity::find_by_id(t.user_id).one(self.store.conn()).await? else {
            return Ok(None);
        };
        if !u.active {
            return Ok(None);
        }
        Ok(Some(to_actor(&u)?))
    }

    /// The first administrator, for the command line's own actions.
    pub async fn system_actor(&self) -> Result<Actor> {
        let root = org::Entity::find().order_by_asc(org::Column::Id).one(self.store.conn()).await?;
        Ok(Actor::system(root.map(|o| o.id).unwrap_or(0)))
    }
}

/// Drops what has run out: sessions past their end or idle, flash messages, login
/// throttles that have cooled down. Once per cluster, every hour.
pub struct PurgeExpired;

impl crate::jobs::Job for PurgeExpired {
    fn kind(&self) -> &'static str {
        "purge_expired"
    }
    fn label(&self) -> &'static str {
        "清理过期会话和问答记录"
    }
    fn every(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_secs(3600))
    }
    fn run<'a>(&'a self, ctx: &'a crate::jobs::JobCtx) -> crate::jobs::JobFuture<'a> {
        Box::pin(async move {
            let n = ctx.app.purge_expired().await?;
            // Questions past their retention period go with the sessions.
            let q = ctx.app.purge_qa_log().await?;
            Ok(Some(format!("{n}，问答记录 {q}")))
        })
    }
}

impl App {
    /// Counts a submission of `form` from `addr`; past `config.form_rate_per_minute` in a
    /// minute it is refused until the minute is over. Held in the database, so it holds
    /// across nodes.
    pub async fn rate_hit(&self, form: &str, addr: &str) -> Result<()> {
        let now = self.now();
        let tx = self.store.begin_write().await?;
        let (count, ends) =
            gongkai_store::rate_limit::hit(&*tx, &format!("{form}:{addr}"), now, Duration::minutes(1)).await?;
        tx.commit().await?;
        if count > self.config.form_rate_per_minute {
            return Err(AppError::TooMany { retry_after: (ends - now).whole_seconds().max(1) });
        }
        Ok(())
    }

    /// See [`PurgeExpired`]. Returns how many rows went.
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = self.now();
        let idle_since = now - Duration::minutes(self.config.session_idle_minutes);
        let tx = self.store.begin_write().await?;
        let sessions = session::Entity::delete_many()
            .filter(
                gongkai_store::sea_orm::Condition::any()
                    .add(session::Column::ExpiresAt.lte(now))
                    .add(session::Column::LastSeenAt.lt(idle_since))
                    .add(
                        gongkai_store::sea_orm::Condition::all()
                            .add(session::Column::LastSeenAt.is_null())
                            .add(session::Column::CreatedAt.lt(idle_since)),
                    ),
            )
            .exec(&*tx)
            .await?
            .rows_affected;
        let flashes = gongkai_store::flash::row::Entity::delete_many()
            .filter(gongkai_store::flash::row::Column::ExpiresAt.lt(now))
            .exec(&*tx)
            .await?
            .rows_affected;
        use gongkai_store::login_throttle::row as t;
        let throttles = t::Entity::delete_many()
            .filter(t::Column::UpdatedAt.lt(now - Duration::days(1)))
            .exec(&*tx)
            .await?
            .rows_affected;
        use gongkai_store::rate_limit::row as r;
        let windows = r::Entity::delete_many()
            .filter(r::Column::WindowStart.lt(now - Duration::hours(1)))
            .exec(&*tx)
            .await?
            .rows_affected;
        tx.commit().await?;
        Ok(sessions + flashes + throttles + windows)
    }
}
