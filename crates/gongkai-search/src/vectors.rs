//! Article vectors for semantic retrieval: derived data, like the index. One flat file of
//! int8 rows (a scale per row), keyed by a hash of the text that was embedded, so a
//! rebuild, a re-cut or a second version with the same article reuses what was computed.
//! Appended as vectors arrive (an embedding job can stop anywhere and go on); a row that
//! was cut short by a crash is dropped on the next open.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

const MAGIC: &[u8; 8] = b"GKVEC001";

/// The key of a text to embed: FNV-1a of the text. The model is named once, in the
/// file's header: another model means another file.
pub fn key(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

struct Rows {
    dim: usize,
    keys: Vec<u64>,
    scales: Vec<f32>,
    data: Vec<i8>,
    at: HashMap<u64, u32>,
}

impl Rows {
    /// Takes the whole rows of a file's body (after its header); a key seen before or a
    /// scale that is not a number is skipped.
    fn read(&mut self, body: &[u8]) {
        for chunk in body.chunks_exact(12 + self.dim) {
            let key = u64::from_le_bytes(chunk[..8].try_into().unwrap_or_default());
            let scale = f32::from_le_bytes(chunk[8..12].try_into().unwrap_or_default());
            if self.at.contains_key(&key) || !scale.is_finite() {
                continue;
            }
            self.at.insert(key, self.keys.len() as u32);
            self.keys.push(key);
            self.scales.push(scale);
            self.data.extend(chunk[12..].iter().map(|b| *b as i8));
        }
    }

    fn push(&mut self, key: u64, v: &[f32]) -> Option<(f32, Vec<i8>)> {
        if v.len() != self.dim || self.at.contains_key(&key) {
            return None;
        }
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let q: Vec<i8> = v.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8).collect();
        self.at.insert(key, self.keys.len() as u32);
        self.keys.push(key);
        self.scales.push(scale);
        self.data.extend_from_slice(&q);
        Some((scale, q))
    }
}

/// The vectors of one model, in memory and (for a data folder) in one file.
pub struct VectorStore {
    model: String,
    path: Option<PathBuf>,
    rows: RwLock<Rows>,
}

impl VectorStore {
    pub fn in_memory(model: &str, dim: usize) -> VectorStore {
        VectorStore {
            model: model.into(),
            path: None,
            rows: RwLock::new(Rows { dim, keys: vec![], scales: vec![], data: vec![], at: HashMap::new() }),
        }
    }

    /// Opens (or starts) the file at `path`. A file of another model or dimension is
    /// started again: its vectors are not comparable.
    pub fn open(path: &Path, model: &str, dim: usize) -> std::io::Result<VectorStore> {
        let store = VectorStore { path: Some(path.to_path_buf()), ..Self::in_memory(model, dim) };
        let header = Self::header(model, dim);
        let mut bytes = Vec::new();
        if let Ok(mut f) = std::fs::File::open(path) {
            f.read_to_end(&mut bytes)?;
        }
        if !bytes.starts_with(&header) {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(path, &header)?;
            return Ok(store);
        }
        let row = 8 + 4 + dim;
        let body = &bytes[header.len()..];
        let whole = body.len() / row;
        store.rows.write().map_err(|_| std::io::Error::other("poisoned"))?.read(body);
        if body.len() != whole * row {
            // A row cut short by a crash: drop it, keep the whole ones.
            let f = std::fs::OpenOptions::new().write(true).open(path)?;
            f.set_len((header.len() + whole * row) as u64)?;
        }
        Ok(store)
    }

    fn header(model: &str, dim: usize) -> Vec<u8> {
        let mut h = MAGIC.to_vec();
        h.extend_from_slice(&(dim as u32).to_le_bytes());
        h.extend_from_slice(&(model.len() as u32).to_le_bytes());
        h.extend_from_slice(model.as_bytes());
        h
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    pub fn dim(&self) -> usize {
        self.rows.read().map(|r| r.dim).unwrap_or(0)
    }

    pub fn len(&self) -> usize {
        self.rows.read().map(|r| r.keys.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, key: u64) -> bool {
        self.rows.read().map(|r| r.at.contains_key(&key)).unwrap_or(false)
    }

    /// Adds vectors (normalised, `dim` long) and appends them to the file.
    pub fn add(&self, vectors: &[(u64, Vec<f32>)]) -> std::io::Result<usize> {
        let mut r = self.rows.write().map_err(|_| std::io::Error::other("poisoned"))?;
        let mut out = Vec::new();
        for (key, v) in vectors {
            if let Some((scale, q)) = r.push(*key, v) {
                out.extend_from_slice(&key.to_le_bytes());
                out.extend_from_slice(&scale.to_le_bytes());
                out.extend(q.iter().map(|x| *x as u8));
            }
        }
        let added = out.len() / (12 + r.dim);
        if let Some(p) = &self.path
            && !out.is_empty()
        {
            let mut f = std::fs::OpenOptions::new().append(true).open(p)?;
            f.write_all(&out)?;
            f.sync_data()?;
        }
        Ok(added)
    }

    /// Cosine of `query` with the stored vector of `key`.
    pub fn score(&self, key: u64, query: &[f32]) -> Option<f32> {
        let r = self.rows.read().ok()?;
        let i = *r.at.get(&key)? as usize;
        Some(dot_i8(&r.data[i * r.dim..(i + 1) * r.dim], query) * r.scales[i])
    }

    /// The `k` stored keys nearest to `query` (cosine), best first. A flat scan: 140,000
    /// rows of 384 bytes take a few milliseconds, so no approximate index is needed.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(u64, f32)> {
        let Ok(r) = self.rows.read() else { return vec![] };
        if query.len() != r.dim || k == 0 {
            return vec![];
        }
        let mut top: std::collections::BinaryHeap<std::cmp::Reverse<(Ordered, u64)>> =
            std::collections::BinaryHeap::with_capacity(k + 1);
        for (i, row) in r.data.chunks_exact(r.dim).enumerate() {
            let s = dot_i8(row, query) * r.scales[i];
            if top.len() < k {
                top.push(std::cmp::Reverse((Ordered(s), r.keys[i])));
            } else if top.peek().is_some_and(|w| s > w.0.0.0) {
                top.pop();
                top.push(std::cmp::Reverse((Ordered(s), r.keys[i])));
            }
        }
        let mut out: Vec<(u64, f32)> = top.into_iter().map(|std::cmp::Reverse((s, key))| (key, s.0)).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// Writes every vector to `path` in this format (the shipped corpus' file).
    pub fn export(&self, path: &Path) -> std::io::Result<usize> {
        let r = self.rows.read().map_err(|_| std::io::Error::other("poisoned"))?;
        let mut out = Self::header(&self.model, r.dim);
        for (i, key) in r.keys.iter().enumerate() {
            out.extend_from_slice(&key.to_le_bytes());
            out.extend_from_slice(&r.scales[i].to_le_bytes());
            out.extend(r.data[i * r.dim..(i + 1) * r.dim].iter().map(|x| *x as u8));
        }
        std::fs::write(path, out)?;
        Ok(r.keys.len())
    }

    /// Adds every vector of another file of the same model (the shipped corpus' vectors).
    pub fn load_from(&self, path: &Path) -> std::io::Result<usize> {
        let other = VectorStore::open_read_only(path, &self.model, self.dim())?;
        let r = other.rows.read().map_err(|_| std::io::Error::other("poisoned"))?;
        let mut batch = Vec::with_capacity(r.keys.len());
        for (i, key) in r.keys.iter().enumerate() {
            let v: Vec<f32> = r.data[i * r.dim..(i + 1) * r.dim].iter().map(|x| f32::from(*x) * r.scales[i]).collect();
            batch.push((*key, v));
        }
        self.add(&batch)
    }

    /// Reads the file without changing it (beside the process that owns it). Later
    /// additions by the owner are not seen.
    pub fn open_read_only(path: &Path, model: &str, dim: usize) -> std::io::Result<VectorStore> {
        let bytes = std::fs::read(path)?;
        let header = Self::header(model, dim);
        if !bytes.starts_with(&header) {
            return Err(std::io::Error::other(format!("{} 不是本模型的向量文件", path.display())));
        }
        let tmp = VectorStore::in_memory(model, dim);
        tmp.rows.write().map_err(|_| std::io::Error::other("poisoned"))?.read(&bytes[header.len()..]);
        Ok(tmp)
    }
}

/// f32 with a total order, for the heap.
#[derive(Clone, Copy, PartialEq)]
struct Ordered(f32);
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ordered {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

fn dot_i8(row: &[i8], q: &[f32]) -> f32 {
    // Eight lanes the compiler vectorises.
    let mut acc = [0f32; 8];
    let chunks = row.len() / 8;
    for c in 0..chunks {
        for l in 0..8 {
            acc[l] += f32::from(row[c * 8 + l]) * q[c * 8 + l];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for i in chunks * 8..row.len() {
        s += f32::from(row[i]) * q[i];
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(dim: usize, hot: usize) -> Vec<f32> {
        let mut v = vec![0.01f32; dim];
        v[hot] = 1.0;
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn vectors_survive_a_reopen_and_a_torn_write() {
        let dir = std::env::temp_dir().join(format!("gk-vec-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("e5.bin");
        let s = VectorStore::open(&path, "m", 16).unwrap();
        assert_eq!(s.add(&[(1, unit(16, 3)), (2, unit(16, 5)), (1, unit(16, 9))]).unwrap(), 2, "a key once");
        let near = s.nearest(&unit(16, 5), 2);
        assert_eq!(near[0].0, 2);
        assert!((near[0].1 - 1.0).abs() < 0.02, "{near:?}");
        drop(s);
        // A crash halfway through a row.
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[7u8; 10]).unwrap();
        drop(f);
        let s = VectorStore::open(&path, "m", 16).unwrap();
        assert_eq!(s.len(), 2);
        assert!(s.contains(1) && s.score(1, &unit(16, 3)).unwrap() > 0.98);
        s.add(&[(3, unit(16, 7))]).unwrap();
        assert_eq!(VectorStore::open(&path, "m", 16).unwrap().len(), 3, "appended after the cut");
        // Another model's vectors are not comparable: started again.
        assert_eq!(VectorStore::open(&path, "other", 16).unwrap().len(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
