//! Semantic retrieval: the e5 model, loaded when its file is in the data folder, and the
//! article vectors beside the index. Vectors are derived data made by a background job
//! (`EmbedPassages`), one text at a time, resumable; without the model everything works
//! lexically and says so.

use super::*;
use gongkai_embed::{Embedder, Kind};
use gongkai_search::vectors::VectorStore;
use std::path::{Path, PathBuf};

/// Where the model and the vectors live in a data folder.
pub fn model_path(data: &Path) -> PathBuf {
    data.join("model").join(gongkai_embed::MODEL_FILE)
}

pub fn vectors_path(data: &Path) -> PathBuf {
    data.join("vectors").join("e5-small-q4.vec")
}

/// The model and why it is absent.
pub struct Semantic {
    pub embedder: Option<Arc<Embedder>>,
    /// Why there is no model (shown to the office and in answers), or the engine in use.
    pub status: String,
}

/// How far semantic retrieval covers the articles.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SemanticStatus {
    /// The model is loaded and questions are embedded.
    pub enabled: bool,
    /// The engine's kernels, or why there is no model.
    pub note: String,
    /// Current articles with a vector, and all current articles.
    pub covered: usize,
    pub articles: usize,
}

impl Semantic {
    pub fn off(why: impl Into<String>) -> Semantic {
        Semantic { embedder: None, status: why.into() }
    }

    /// Loads the model at `path` (checked first); None with the reason when it cannot.
    pub fn open(path: &Path) -> Semantic {
        match Embedder::open(path) {
            Ok(e) => {
                let engine = e.engine();
                Semantic { embedder: Some(Arc::new(e)), status: format!("multilingual-e5-small（{engine}）") }
            }
            Err(e) => Semantic::off(e.to_string()),
        }
    }
}

impl App {
    /// Semantic retrieval from the model and vectors of `data` (a data folder), or off.
    pub fn with_semantic(self, data: Option<&Path>) -> App {
        let Some(state) = self.search.as_ref() else { return self };
        let semantic = match data {
            None => Semantic::off("未配置数据目录"),
            Some(d) => {
                let s = Semantic::open(&model_path(d));
                if s.embedder.is_some() {
                    let path = vectors_path(d);
                    let opened = if state.index.is_read_only() {
                        VectorStore::open_read_only(&path, gongkai_embed::MODEL_ID, gongkai_embed::DIM)
                    } else {
                        VectorStore::open(&path, gongkai_embed::MODEL_ID, gongkai_embed::DIM)
                    };
                    match opened {
                        Ok(v) => state.index.set_vectors(Some(Arc::new(v))),
                        Err(e) => tracing::warn!(error = %e, "article vectors unreadable; semantic retrieval off"),
                    }
                }
                s
            }
        };
        if let Ok(mut s) = state.semantic.write() {
            *s = semantic;
        }
        self
    }

    /// Semantic retrieval with this model and in-memory vectors (tests, benchmarks).
    pub fn with_embedder(self, embedder: Arc<Embedder>) -> App {
        if let Some(state) = self.search.as_ref() {
            state
                .index
                .set_vectors(Some(Arc::new(VectorStore::in_memory(gongkai_embed::MODEL_ID, gongkai_embed::DIM))));
            if let Ok(mut s) = state.semantic.write() {
                *s = Semantic { embedder: Some(embedder), status: "multilingual-e5-small".into() };
            }
        }
        self
    }

    pub(crate) fn embedder(&self) -> Option<Arc<Embedder>> {
        self.search.as_ref()?.semantic.read().ok()?.embedder.clone()
    }

    /// The question's vector, when the model is loaded.
    pub(crate) async fn query_vector(&self, question: &str) -> Option<Vec<f32>> {
        let e = self.embedder()?;
        let q = question.to_string();
        tokio::task::spawn_blocking(move || e.embed(&q, Kind::Query).ok()).await.ok().flatten()
    }

    pub async fn semantic_status(&self) -> Result<SemanticStatus> {
        let state = self.search_state()?.clone();
        let note = state.semantic.read().map(|s| s.status.clone()).unwrap_or_default();
        let enabled = self.embedder().is_some() && state.index.vectors().is_some();
        let (covered, articles) = blocking(move || state.index.vector_coverage()).await?;
        Ok(SemanticStatus { enabled, note, covered, articles })
    }

    /// Embeds up to `limit` articles that have no vector yet on `threads` threads, one
    /// text per thread at a time (the engine is fastest so). Returns how many were added.
    pub async fn embed_pending(&self, limit: usize, threads: usize) -> Result<usize> {
        let (Some(e), Some(state)) = (self.embedder(), self.search.clone()) else { return Ok(0) };
        if state.rebuilding.load(Ordering::SeqCst) || state.index.is_read_only() {
            return Ok(0);
        }
        blocking(move || {
            let Some(store) = state.index.vectors() else { return Ok(0) };
            let todo = state.index.missing_vectors(limit)?;
            let per = todo.len().div_ceil(threads.max(1)).max(1);
            let added = std::thread::scope(|scope| {
                let workers: Vec<_> = todo
                    .chunks(per)
                    .map(|part| {
                        let (e, store) = (&e, &store);
                        scope.spawn(move || {
                            let mut added = 0;
                            for (key, text) in part {
                                match e.embed(text, Kind::Passage) {
                                    Ok(v) => added += store.add(&[(*key, v)]).unwrap_or(0),
                                    Err(err) => tracing::warn!(error = %err, "an article could not be embedded"),
                                }
                            }
                            added
                        })
                    })
                    .collect();
                workers.into_iter().map(|w| w.join().unwrap_or(0)).sum::<usize>()
            });
            if added > 0 {
                state.index.vectors_changed();
            }
            Ok(added)
        })
        .await
    }
}

/// This node's article vectors: what is new or changed is embedded a few articles per
/// run, one thread, so the portal stays responsive; a stop loses at most one article.
pub struct EmbedPassages;

/// Articles per run: a few seconds of one core.
const PER_RUN: usize = 16;

impl crate::jobs::Job for EmbedPassages {
    fn kind(&self) -> &'static str {
        "embed_passages"
    }
    fn label(&self) -> &'static str {
        "条款语义向量"
    }
    fn scope(&self) -> crate::jobs::Scope {
        crate::jobs::Scope::Node
    }
    fn every(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_secs(2))
    }
    fn run<'a>(&'a self, ctx: &'a crate::jobs::JobCtx) -> crate::jobs::JobFuture<'a> {
        Box::pin(async move {
            let n = ctx.app.embed_pending(PER_RUN, 1).await?;
            if n == 0 {
                return Ok(None);
            }
            let s = ctx.app.semantic_status().await?;
            Ok(Some(format!("已计算 {} / {} 条", s.covered, s.articles)))
        })
    }
}
