//! tlog-tiles paths and contents: hash tiles at `tile/<L>/<N>[.p/<W>]` and entry bundles at
//! `tile/entries/<N>[.p/<W>]`, height 8, stored under `log/` in the evidence store.
//!
//! `tlog_tiles::Tile` writes the Go sumdb layout, which names the height
//! (`tile/8/<L>/…`, `tile/8/data/…`); the C2SP layout fixes the height at 8 and leaves it
//! out. The translation is a prefix; coordinates, the `xNNN` elements and the `.p/<W>`
//! suffix are `Tile::path`'s and `Tile::from_path`'s, which also refuse every
//! non-canonical path.

use tlog_tiles::Tile;

/// The tile height of tlog-tiles.
pub const HEIGHT: u8 = 8;
/// Entries per full tile.
pub const WIDTH: u64 = 1 << HEIGHT;
/// Where the log lives in the evidence store.
pub const STORE_PREFIX: &str = "log/";
/// The checkpoint's key in the evidence store.
pub const CHECKPOINT_KEY: &str = "log/checkpoint";

/// The C2SP path of a tile (`tile/…`).
pub fn c2sp_path(tile: &Tile) -> String {
    let go = tile.path();
    let rest = go
        .strip_prefix(&format!("tile/{HEIGHT}/"))
        .expect("tiles are made with height 8");
    match rest.strip_prefix("data/") {
        Some(bundle) => format!("tile/entries/{bundle}"),
        None => format!("tile/{rest}"),
    }
}

/// The evidence store key of a tile.
pub fn store_key(tile: &Tile) -> String {
    format!("{STORE_PREFIX}{}", c2sp_path(tile))
}

/// Parses a C2SP tile path (`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`);
/// anything not canonical is `None`.
pub fn parse(path: &str) -> Option<Tile> {
    let rest = path.strip_prefix("tile/")?;
    // `Tile::from_path` would panic on a width of 0 (`.p/0`); it is never valid.
    if let Some((_, width)) = rest.rsplit_once(".p/") {
        if width.parse::<u64>().ok()? == 0 {
            return None;
        }
    }
    let go = match rest.strip_prefix("entries/") {
        Some(bundle) => format!("tile/{HEIGHT}/data/{bundle}"),
        None => format!("tile/{HEIGHT}/{rest}"),
    };
    let tile = Tile::from_path(&go).ok()?;
    (c2sp_path(&tile) == path).then_some(tile)
}

/// Whether a tile is full (immutable) rather than partial.
pub fn is_full(tile: &Tile) -> bool {
    u64::from(tile.width()) == WIDTH
}

/// An entry bundle: each entry as a big-endian `uint16` length and its bytes.
pub fn bundle<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in entries {
        let len = u16::try_from(entry.len()).expect("entries are far below 64 KiB");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_c2sp_layout_and_only_canonical_ones_parse() {
        let full = Tile::new(HEIGHT, 0, 1_234_067, 256, false);
        assert_eq!(c2sp_path(&full), "tile/0/x001/x234/067");
        let mut partial = Tile::new(HEIGHT, 1, 0, 5, false);
        assert_eq!(c2sp_path(&partial), "tile/1/000.p/5");
        partial.set_is_data();
        assert_eq!(c2sp_path(&partial), "tile/entries/000.p/5");
        for path in [
            "tile/0/x001/x234/067",
            "tile/1/000.p/5",
            "tile/entries/000.p/5",
        ] {
            assert_eq!(c2sp_path(&parse(path).unwrap()), path);
        }
        for bad in [
            "tile/8/0/000",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/0",
            "tile/0/1234",
            "tile/entries/000.p/00",
            "tile/data/000",
            "tile/0/../000",
            "tile/",
        ] {
            assert!(parse(bad).is_none(), "accepted {bad}");
        }
    }

    #[test]
    fn bundles_prefix_each_entry_with_its_length() {
        assert_eq!(
            bundle([&b"ab"[..], b"c"]),
            vec![0, 2, b'a', b'b', 0, 1, b'c']
        );
    }
}
