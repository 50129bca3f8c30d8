//! Reading the tree's stored hashes from the database for `tlog_tiles`, whose
//! [`HashReader`] is synchronous: each computation runs twice, first against a reader that
//! only records which indexes it asks for, then against those hashes fetched in one query.
//! The algorithms stay `tlog_tiles`' own; nothing here knows which hashes a proof needs.

use std::cell::RefCell;
use std::collections::HashMap;

use sqlx::AnyConnection;
use tlog_tiles::{Hash, HashReader};

use super::LogError;

/// Records the indexes asked for; answers with zero hashes.
#[derive(Default)]
pub struct Recorder(RefCell<Vec<u64>>);

impl HashReader for Recorder {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        self.0.borrow_mut().extend_from_slice(indexes);
        Ok(vec![Hash::default(); indexes.len()])
    }
}

/// Hashes already at hand, by stored-hash index.
#[derive(Debug, Default, Clone)]
pub struct Known(pub HashMap<u64, Hash>);

impl HashReader for Known {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|i| {
                self.0
                    .get(i)
                    .copied()
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

impl Known {
    /// Adds the hashes stored at `indexes` that are not known yet.
    pub async fn fetch(
        &mut self,
        conn: &mut AnyConnection,
        indexes: &[u64],
    ) -> Result<(), LogError> {
        let missing: Vec<u64> = indexes
            .iter()
            .copied()
            .filter(|i| !self.0.contains_key(i))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let found = crate::db::log::hashes(conn, &missing).await?;
        for (index, hex) in found {
            self.0.insert(index, from_hex(&hex)?);
        }
        Ok(())
    }
}

/// The reader a [`with_stored`] computation gets: first recording, then answering.
pub enum Reader<'a> {
    /// The first run.
    Recording(&'a Recorder),
    /// The second run.
    Known(&'a Known),
}

impl HashReader for Reader<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        match self {
            Self::Recording(r) => r.read_hashes(indexes),
            Self::Known(k) => k.read_hashes(indexes),
        }
    }
}

/// Runs `f` with the stored hashes it reads, fetched from the database.
pub async fn with_stored<T>(
    conn: &mut AnyConnection,
    f: impl Fn(&Reader<'_>) -> Result<T, tlog_tiles::Error>,
) -> Result<T, LogError> {
    let recorder = Recorder::default();
    f(&Reader::Recording(&recorder))?;
    let mut known = Known::default();
    known.fetch(conn, &recorder.0.into_inner()).await?;
    Ok(f(&Reader::Known(&known))?)
}

/// A stored hash as the database keeps it.
pub fn to_hex(hash: &Hash) -> String {
    hex::encode(hash.0)
}

/// A stored hash from the database.
pub fn from_hex(text: &str) -> Result<Hash, LogError> {
    let bytes = hex::decode(text).map_err(|_| LogError::Corrupt("a stored hash is not hex"))?;
    let array: [u8; 32] = bytes
        .try_into()
        .map_err(|_| LogError::Corrupt("a stored hash is not 32 bytes"))?;
    Ok(Hash(array))
}
