//! Paging through a collection's objects (OASIS TAXII 2.1 §3.4 `next`,
//! `added_after`, `limit`; §3.4.3 `X-TAXII-Date-Added-Last`; §3.7 the
//! envelope's `more` and `next`), without I/O: [`Paging`] says which page
//! to ask for next and takes the page the server answered, so the rules
//! can be tested without a server.
//!
//! - A page with `more` absent or false ends the pull.
//! - With `more`, the next page is asked for with the page's `next` (the
//!   filters repeated, as §3.4 asks); a server that pages without `next`
//!   is followed with `added_after` set to the page's
//!   `X-TAXII-Date-Added-Last`, as §3.4.3 describes.
//! - `limit` is never more than what is left of `max_objects`; a server
//!   that answers more than asked is cut at `max_objects`.
//! - A server's mistakes end the pull with an error, never a loop: a
//!   `next` or `added_after` seen before is refused, and at most
//!   [`MAX_EMPTY_PAGES`] pages in a row may bring no object (a server that
//!   filters after paging may send some), so the pull ends within
//!   `(MAX_EMPTY_PAGES + 1) × max_objects` pages.
//!
//! Objects are kept as the exact JSON text the server sent
//! ([`RawValue`]): the draft carries them as they were served.

use std::collections::HashSet;

use serde_json::value::RawValue;

/// Pages in a row with `more` but no object that are followed before the
/// server is taken to be going round in circles.
pub const MAX_EMPTY_PAGES: usize = 10;

/// What to ask the server for: the objects endpoint with these parameters
/// (and the user's `match[type]`, the same on every page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// `next`, from the previous page.
    pub next: Option<String>,
    /// `added_after`: the user's bound, or where a server without `next`
    /// left off.
    pub added_after: Option<String>,
    /// `limit`: at least 1.
    pub limit: usize,
}

/// What the server answered for one page.
#[derive(Debug)]
pub struct Page {
    /// The envelope's `more`.
    pub more: bool,
    /// The envelope's `next`.
    pub next: Option<String>,
    /// The envelope's `objects`, as sent.
    pub objects: Vec<Box<RawValue>>,
    /// The `X-TAXII-Date-Added-Last` header: when the page's last object
    /// was added.
    pub date_added_last: Option<String>,
}

/// How a pull ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The server has nothing more that matches.
    Complete,
    /// `max_objects` were taken and the server has more.
    LimitReached {
        /// Where the rest starts, as `--added-after` takes it, when known:
        /// the last page's `X-TAXII-Date-Added-Last`, unless the page was
        /// cut short.
        resume_after: Option<String>,
    },
}

/// The objects pulled and how the pull ended.
#[derive(Debug)]
pub struct Pulled {
    /// Every object, in the order served.
    pub objects: Vec<Box<RawValue>>,
    /// Pages read.
    pub pages: usize,
    /// Whether everything that matched was taken.
    pub end: End,
}

/// A pull in progress: ask for [`Paging::request`], give the answer to
/// [`Paging::take`], until `request` is `None`; then [`Paging::finish`].
#[derive(Debug)]
pub struct Paging {
    added_after: Option<String>,
    max_objects: usize,
    page_size: usize,
    objects: Vec<Box<RawValue>>,
    pages: usize,
    pending: Option<PageRequest>,
    end: Option<End>,
    seen: HashSet<String>,
    empty_in_a_row: usize,
}

impl Paging {
    /// A pull of at most `max_objects` (at least 1), `page_size` (at least
    /// 1) a page, of the objects added after `added_after` if given.
    pub fn new(added_after: Option<String>, max_objects: usize, page_size: usize) -> Self {
        let max_objects = max_objects.max(1);
        let page_size = page_size.max(1);
        Self {
            pending: Some(PageRequest {
                next: None,
                added_after: added_after.clone(),
                limit: page_size.min(max_objects),
            }),
            added_after,
            max_objects,
            page_size,
            objects: Vec::new(),
            pages: 0,
            end: None,
            seen: HashSet::new(),
            empty_in_a_row: 0,
        }
    }

    /// The page to ask for; `None` when the pull is over.
    pub fn request(&self) -> Option<&PageRequest> {
        self.pending.as_ref()
    }

    /// Takes the answer to [`Paging::request`]. An error means the server
    /// broke the protocol; the pull is then over.
    pub fn take(&mut self, page: Page) -> Result<(), String> {
        let Some(asked) = self.pending.take() else {
            return Err("no page was asked for; the pull is over".into());
        };
        self.pages += 1;
        let number = self.pages;
        let brought = page.objects.len();
        let room = self.max_objects - self.objects.len();
        let cut = brought > room;
        self.objects.extend(page.objects.into_iter().take(room));
        if !page.more {
            self.end = Some(End::Complete);
            return Ok(());
        }
        if self.objects.len() >= self.max_objects {
            self.end = Some(End::LimitReached {
                resume_after: if cut { None } else { page.date_added_last },
            });
            return Ok(());
        }
        self.empty_in_a_row = if brought == 0 {
            self.empty_in_a_row + 1
        } else {
            0
        };
        if self.empty_in_a_row > MAX_EMPTY_PAGES {
            return Err(format!(
                "pages {} to {number} say more objects follow (\"more\": true) but have none; stopping rather than asking forever",
                number - MAX_EMPTY_PAGES
            ));
        }
        let limit = self.page_size.min(self.max_objects - self.objects.len());
        let next = match (page.next, page.date_added_last) {
            (Some(next), _) => {
                if !self.seen.insert(format!("next:{next}")) {
                    return Err(format!(
                        "page {number} gives a \"next\" it gave before ({next:?}); stopping rather than reading the same pages again"
                    ));
                }
                PageRequest {
                    next: Some(next),
                    added_after: self.added_after.clone(),
                    limit,
                }
            }
            (None, Some(last)) => {
                if asked.added_after.as_deref() == Some(last.as_str())
                    || !self.seen.insert(format!("after:{last}"))
                {
                    return Err(format!(
                        "page {number} ends at X-TAXII-Date-Added-Last {last}, where an earlier page ended; stopping rather than reading the same objects again"
                    ));
                }
                PageRequest {
                    next: None,
                    added_after: Some(last),
                    limit,
                }
            }
            (None, None) => {
                return Err(format!(
                    "page {number} says more objects follow but gives neither \"next\" nor an X-TAXII-Date-Added-Last header to ask for them (TAXII 2.1 §3.4.3, §3.7)"
                ));
            }
        };
        self.pending = Some(next);
        Ok(())
    }

    /// The objects pulled; call once [`Paging::request`] is `None`.
    pub fn finish(self) -> Pulled {
        Pulled {
            objects: self.objects,
            pages: self.pages,
            end: self.end.unwrap_or(End::Complete),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(from: usize, to: usize) -> Vec<Box<RawValue>> {
        (from..to)
            .map(|i| {
                RawValue::from_string(format!("{{\"id\": \"note--{i}\",  \"n\":{i}.50}}"))
                    .expect("raw")
            })
            .collect()
    }

    /// A server holding `total` objects that pages with `next` (the index
    /// of the first object of the next page), serving at most `cap` a page.
    fn serve_with_next(total: usize, cap: usize, request: &PageRequest) -> Page {
        let from: usize = request.next.as_deref().map_or(0, |n| n.parse().expect("n"));
        let to = (from + request.limit.min(cap)).min(total);
        Page {
            more: to < total,
            next: (to < total).then(|| to.to_string()),
            objects: objects(from, to),
            date_added_last: Some(format!("t{to}")),
        }
    }

    fn pull(
        mut paging: Paging,
        mut serve: impl FnMut(&PageRequest) -> Page,
    ) -> Result<Pulled, String> {
        let mut asked = Vec::new();
        while let Some(request) = paging.request().cloned() {
            asked.push(request.clone());
            assert!(asked.len() < 1000, "the pull does not end: {asked:?}");
            paging.take(serve(&request))?;
        }
        Ok(paging.finish())
    }

    fn texts(pulled: &Pulled) -> Vec<&str> {
        pulled.objects.iter().map(|o| o.get()).collect()
    }

    #[test]
    fn every_page_is_read_in_order_and_kept_as_sent() {
        let pulled = pull(Paging::new(None, 10_000, 3), |r| {
            serve_with_next(10, 1000, r)
        })
        .expect("pulled");
        assert_eq!(pulled.pages, 4);
        assert_eq!(pulled.end, End::Complete);
        let expected = objects(0, 10);
        assert_eq!(
            texts(&pulled),
            expected.iter().map(|o| o.get()).collect::<Vec<_>>()
        );
        // Exactly as sent: spacing and number spelling untouched.
        assert_eq!(
            pulled.objects[7].get(),
            "{\"id\": \"note--7\",  \"n\":7.50}"
        );
    }

    #[test]
    fn the_server_may_serve_fewer_than_asked() {
        let pulled = pull(Paging::new(None, 10_000, 1000), |r| {
            serve_with_next(25, 4, r)
        })
        .expect("pulled");
        assert_eq!((pulled.objects.len(), pulled.pages), (25, 7));
    }

    #[test]
    fn the_limit_never_asks_past_max_objects_and_says_where_the_rest_starts() {
        let mut limits = Vec::new();
        let pulled = pull(Paging::new(None, 7, 3), |r| {
            limits.push(r.limit);
            serve_with_next(20, 1000, r)
        })
        .expect("pulled");
        assert_eq!(limits, [3, 3, 1]);
        assert_eq!(pulled.objects.len(), 7);
        assert_eq!(
            pulled.end,
            End::LimitReached {
                resume_after: Some("t7".into())
            }
        );
        // Exactly max_objects, and nothing more: complete.
        let pulled =
            pull(Paging::new(None, 20, 5), |r| serve_with_next(20, 1000, r)).expect("pulled");
        assert_eq!((pulled.objects.len(), pulled.end), (20, End::Complete));
    }

    #[test]
    fn a_server_that_answers_more_than_asked_is_cut_at_max_objects() {
        let pulled = pull(Paging::new(None, 5, 2), |_| Page {
            more: true,
            next: Some("x".into()),
            objects: objects(0, 9),
            date_added_last: Some("t9".into()),
        })
        .expect("pulled");
        assert_eq!(pulled.objects.len(), 5);
        // Cut mid-page: where the rest starts is not known.
        assert_eq!(pulled.end, End::LimitReached { resume_after: None });
    }

    #[test]
    fn without_next_the_pull_follows_date_added_last() {
        let mut asked = Vec::new();
        let pulled = pull(
            Paging::new(Some("2026-11-28T00:00:00.000000Z".into()), 100, 2),
            |r| {
                asked.push(r.clone());
                let from: usize = match r.added_after.as_deref() {
                    Some(after) if after.starts_with('t') => after[1..].parse().expect("n"),
                    _ => 0,
                };
                let to = (from + r.limit).min(5);
                Page {
                    more: to < 5,
                    next: None,
                    objects: objects(from, to),
                    date_added_last: Some(format!("t{to}")),
                }
            },
        )
        .expect("pulled");
        assert_eq!(pulled.objects.len(), 5);
        assert_eq!(
            asked[0].added_after.as_deref(),
            Some("2026-11-28T00:00:00.000000Z")
        );
        assert_eq!(asked[1].added_after.as_deref(), Some("t2"));
        assert!(asked.iter().all(|r| r.next.is_none()));
    }

    #[test]
    fn with_next_the_users_filters_are_repeated() {
        let mut asked = Vec::new();
        pull(Paging::new(Some("A".into()), 100, 2), |r| {
            asked.push(r.clone());
            serve_with_next(5, 1000, r)
        })
        .expect("pulled");
        assert_eq!(asked.len(), 3);
        assert!(asked.iter().all(|r| r.added_after.as_deref() == Some("A")));
        assert_eq!(asked[2].next.as_deref(), Some("4"));
    }

    #[test]
    fn a_server_that_would_loop_is_refused() {
        let same_next = pull(Paging::new(None, 100, 2), |_| Page {
            more: true,
            next: Some("again".into()),
            objects: objects(0, 2),
            date_added_last: None,
        });
        assert!(same_next.is_err_and(|e| e.contains("gave before")));

        let empty = pull(Paging::new(None, 100, 2), |_| Page {
            more: true,
            next: Some(uuid::Uuid::new_v4().to_string()),
            objects: Vec::new(),
            date_added_last: None,
        });
        assert!(empty.is_err_and(|e| e.contains("pages 1 to 11") && e.contains("have none")));

        let stuck = pull(Paging::new(None, 100, 2), |_| Page {
            more: true,
            next: None,
            objects: objects(0, 2),
            date_added_last: Some("t2".into()),
        });
        assert!(stuck.is_err_and(|e| e.contains("page 2") && e.contains("t2")));

        let lost = pull(Paging::new(None, 100, 2), |_| Page {
            more: true,
            next: None,
            objects: objects(0, 2),
            date_added_last: None,
        });
        assert!(lost.is_err_and(|e| e.contains("neither")));
    }

    #[test]
    fn a_few_empty_pages_are_followed() {
        // A server that filters after paging: every other page empty.
        let pulled = pull(Paging::new(None, 100, 2), |r| {
            let at: usize = r.next.as_deref().map_or(0, |n| n.parse().expect("n"));
            Page {
                more: at < 9,
                next: (at < 9).then(|| (at + 1).to_string()),
                objects: if at.is_multiple_of(2) {
                    objects(at, at + 1)
                } else {
                    Vec::new()
                },
                date_added_last: None,
            }
        })
        .expect("pulled");
        assert_eq!((pulled.objects.len(), pulled.pages), (5, 10));
    }

    #[test]
    fn zero_is_taken_as_one() {
        let paging = Paging::new(None, 0, 0);
        assert_eq!(paging.request().map(|r| r.limit), Some(1));
    }
}
