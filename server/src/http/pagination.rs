//! Cursor pagination of lists ordered by creation time.
//!
//! Owns `pageSize`, `order` and `pageToken`. Every list is ordered by `(created_at, id)`,
//! a total order (ids are unique), so a walk page by page sees every row exactly once even
//! when rows share a millisecond, and rows inserted meanwhile never shift a page. The
//! token is opaque to clients: unpadded base64url of `v1|<list>|<order>|<created_at>|<id>`
//! of the last row served. It names its list and order, so a token from another list or
//! with another `order` is refused as `INVALID_ARGUMENT` rather than silently mis-paging.
//! Pure; no I/O.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use expressconsent_protocol::SortOrder;

/// Default `pageSize`.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Largest `pageSize`.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Which list a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// `GET /v1/domains/:domainId/cdrs`.
    Cdrs,
    /// `GET /v1/billing/events`.
    BillingEvents,
    /// `GET /v1/cdrs`: every CDR the org has a relation to.
    Related,
    /// `POST /v1/cdrs/search`.
    Search,
}

impl List {
    fn tag(self) -> &'static str {
        match self {
            Self::Cdrs => "cdrs",
            Self::BillingEvents => "billing",
            Self::Related => "related",
            Self::Search => "search",
        }
    }
}

/// The position after which a page starts: the last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// That row's creation time, epoch ms.
    pub created_at: i64,
    /// That row's id.
    pub id: String,
}

/// A checked page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// 1 to [`MAX_PAGE_SIZE`].
    pub size: u32,
    /// Direction of the walk.
    pub order: SortOrder,
    /// Start after this row; `None` for the first page.
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// Checks the query parameters of `list`; `Err` says what is wrong.
    pub fn parse(
        list: List,
        page_size: Option<u32>,
        order: Option<SortOrder>,
        page_token: Option<&str>,
    ) -> Result<Self, String> {
        let size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(format!(
                "pageSize must be from 1 to {MAX_PAGE_SIZE}; got {size}"
            ));
        }
        let order = order.unwrap_or_default();
        let after = match page_token {
            None | Some("") => None,
            Some(token) => Some(decode(list, order, token)?),
        };
        Ok(Self { size, order, after })
    }

    /// How many rows to fetch: one more than the page, to learn whether another follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.size) + 1
    }

    /// Cuts the fetched rows to the page and makes the next token from its last row.
    pub fn finish<T>(
        &self,
        list: List,
        mut rows: Vec<T>,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> (Vec<T>, Option<String>) {
        let size = self.size as usize;
        if rows.len() <= size {
            return (rows, None);
        }
        rows.truncate(size);
        let next = rows
            .last()
            .map(|last| encode(list, self.order, &cursor_of(last)));
        (rows, next)
    }
}

fn order_tag(order: SortOrder) -> &'static str {
    match order {
        SortOrder::Asc => "asc",
        SortOrder::Desc => "desc",
    }
}

/// The token that continues `list` in `order` after `cursor`.
pub fn encode(list: List, order: SortOrder, cursor: &Cursor) -> String {
    let plain = format!(
        "v1|{}|{}|{}|{}",
        list.tag(),
        order_tag(order),
        cursor.created_at,
        cursor.id
    );
    URL_SAFE_NO_PAD.encode(plain)
}

fn decode(list: List, order: SortOrder, token: &str) -> Result<Cursor, String> {
    let invalid =
        || "pageToken is not a token this list returned; start again without it".to_owned();
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
    let parts: Vec<&str> = plain.splitn(5, '|').collect();
    let [version, tag, token_order, created_at, id] = parts[..] else {
        return Err(invalid());
    };
    // Every id this server mints is `prefix_` plus lowercase base32; anything else (NUL
    // above all, which PostgreSQL text cannot hold) names no row and is refused here.
    let id_shaped = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if version != "v1" || tag != list.tag() || !id_shaped {
        return Err(invalid());
    }
    if token_order != order_tag(order) {
        return Err(format!(
            "pageToken continues order={token_order}; pass the same order as the first page"
        ));
    }
    let created_at = created_at.parse().map_err(|_| invalid())?;
    Ok(Cursor {
        created_at,
        id: id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor() -> Cursor {
        Cursor {
            created_at: 1_700_000_000_123,
            id: "cdr_abc".into(),
        }
    }

    #[test]
    fn defaults_are_twenty_newest_first_from_the_start() {
        let page = PageRequest::parse(List::Cdrs, None, None, None).unwrap();
        assert_eq!(
            page,
            PageRequest {
                size: 20,
                order: SortOrder::Desc,
                after: None
            }
        );
    }

    #[test]
    fn page_size_is_one_to_one_hundred() {
        for ok in [1, 100, 37] {
            assert!(
                PageRequest::parse(List::Cdrs, Some(ok), None, None).is_ok(),
                "{ok}"
            );
        }
        for bad in [0, 101, u32::MAX] {
            assert!(
                PageRequest::parse(List::Cdrs, Some(bad), None, None).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_token_round_trips_in_its_own_list_and_order_only() {
        let token = encode(List::Cdrs, SortOrder::Asc, &cursor());
        let asc = Some(SortOrder::Asc);
        let page = PageRequest::parse(List::Cdrs, None, asc, Some(&token)).unwrap();
        assert_eq!(page.after, Some(cursor()));
        assert!(PageRequest::parse(List::Cdrs, None, Some(SortOrder::Desc), Some(&token)).is_err());
        assert!(PageRequest::parse(List::BillingEvents, None, asc, Some(&token)).is_err());
    }

    #[test]
    fn garbage_tokens_are_refused() {
        for bad in [
            "!!!",
            "djE",
            "bm90IGEgdG9rZW4",
            &URL_SAFE_NO_PAD.encode("v1|cdrs|desc|x|cdr_a"),
        ] {
            assert!(
                PageRequest::parse(List::Cdrs, None, None, Some(bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn finishing_a_page_keeps_size_rows_and_points_after_the_last() {
        let asc = Some(SortOrder::Asc);
        let page = PageRequest::parse(List::Cdrs, Some(2), asc, None).unwrap();
        let rows = vec![(1, "a"), (2, "b"), (3, "c")];
        let cursor_of = |row: &(i64, &str)| Cursor {
            created_at: row.0,
            id: row.1.to_owned(),
        };
        let (kept, next) = page.finish(List::Cdrs, rows, cursor_of);
        assert_eq!(kept, vec![(1, "a"), (2, "b")]);
        let next = next.expect("a next page");
        let again = PageRequest::parse(List::Cdrs, Some(2), asc, Some(&next)).unwrap();
        assert_eq!(again.after.unwrap().id, "b");
        let (_, last) = page.finish(List::Cdrs, vec![(4, "d")], cursor_of);
        assert_eq!(last, None);
    }
}
