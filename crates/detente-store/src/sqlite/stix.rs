//! The STIX objects of the TAXII collections in SQLite, and the indexer's
//! watermark (docs/taxii.md; the tables are in `migrations/0008_taxii.sql`).
//!
//! Adding objects: one `IMMEDIATE` transaction, cached statements, per
//! object one `INSERT … ON CONFLICT DO NOTHING` on the unique index
//! `stix_objects_by_object` (counterparty, collection, object_id,
//! version_key, lane): a version is stored once per lane (the first copy
//! kept), and a copy in a lane the writer cannot see never stops the
//! writer's own (it would otherwise be an existence oracle). `added_us` is
//! the rowid, set by us: one more than the greatest stored, or the clock if
//! that is later, so it only grows. An object with no version is stored
//! with `version_key` '' (one value, the lowest).
//!
//! Reading is per reader: which version is an object's latest or first,
//! and which copy of a version sitting in several lanes is served (the one
//! added first), is decided over the query's lanes only, so nothing in a
//! lane the reader cannot see changes what they get. Each of those is a
//! `NOT EXISTS` probe of `stix_objects_by_object` (a visible greater,
//! lesser, or earlier copy of this version?), one search of the object's
//! versions.
//!
//! The cost of a page must not grow with the collection, so each lane is
//! read by its own `SELECT added_us … ORDER BY added_us LIMIT ?`, a range
//! scan of `stix_objects_by_lane` that stops at the page's end, and the
//! lanes' keys are merged here (SQLite cannot merge the ranges of an `IN`
//! list in order without sorting them all). Only keys are held per lane;
//! the full rows (with their JSON, up to a message's size each) are then
//! read for the page's rows alone, by rowid. With ids, one search of
//! `stix_objects_by_object` finds those objects' versions (few) in the
//! query's lanes, then sorts their keys. Each scan names its index
//! (`INDEXED BY`): the plan is part of the contract, and a statement the
//! index cannot serve fails to prepare instead of scanning.
//!
//! The indexer's watermark changes only in the transaction that adds the
//! objects it covers, after reading it in that transaction (a
//! compare-and-swap under the write lock).

use std::collections::BTreeSet;

use detente_proto::ids::MessageId;
use detente_proto::time::Timestamp;
use rusqlite::types::ToSql;
use rusqlite::{Connection, params};

use super::rows::{self, MessageRow, db_error, select_messages};
use super::{all_rows, optional_row, write_transaction};
use crate::{
    NewStixObject, StixQuery, StixSource, StoreError, StoredMessage, StoredStixObject,
    VersionFilter,
};

/// The table, as errors about its values name it.
const T: &str = "stix_objects";

/// The longest object id and lane, in characters (as the table's `CHECK`s count).
const MAX_OBJECT_ID: usize = 300;
const MAX_LANE: usize = 200;

/// Refuses objects no collection holds (see [`crate::Store::add_stix_objects`]).
/// Checked before the transaction starts, so a refused call writes nothing.
pub(super) fn check_objects(
    objects: &[NewStixObject],
    operation: &'static str,
) -> Result<(), StoreError> {
    for object in objects {
        let id = &object.object_id;
        let why = if !(1..=MAX_OBJECT_ID).contains(&id.chars().count()) {
            format!("object id {id:?} is not 1 to {MAX_OBJECT_ID} characters")
        } else if !(1..=MAX_LANE).contains(&object.lane.chars().count()) {
            format!(
                "object {id}: lane {:?} is not 1 to {MAX_LANE} characters",
                object.lane
            )
        } else if object.version.is_some() != object.version_key.is_some() {
            format!(
                "object {id}: version {:?} with version_key {:?}; set both or neither",
                object.version, object.version_key
            )
        } else if object.version_key.as_deref() == Some("") {
            format!("object {id}: version_key is empty; give None for an object with no version")
        } else {
            continue;
        };
        return Err(StoreError::Misuse { operation, why });
    }
    Ok(())
}

/// Microseconds since the epoch of a timestamp.
fn micros(at: Timestamp) -> i64 {
    at.unix_millis().saturating_mul(1000)
}

/// Adds `objects` inside the caller's transaction (after [`check_objects`])
/// and returns how many were added.
pub(super) fn insert_objects(
    tx: &Connection,
    objects: &[NewStixObject],
    now: Timestamp,
) -> Result<usize, StoreError> {
    if objects.is_empty() {
        return Ok(0);
    }
    let greatest: Option<i64> = tx
        .prepare_cached("SELECT max(added_us) FROM stix_objects")
        .map_err(db_error)?
        .query_row([], |row| row.get(0))
        .map_err(db_error)?;
    let after_greatest = greatest
        .map(|us| us.checked_add(1))
        .unwrap_or(Some(i64::MIN));
    let mut next = after_greatest
        .map(|us| us.max(micros(now)))
        .ok_or_else(|| {
            StoreError::Corrupt(format!("{T}.added_us: {greatest:?} leaves no later value"))
        })?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO stix_objects (added_us, counterparty, collection, object_id,
                 object_type, spec_version, version, version_key, lane, message_id, draft_id,
                 json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (counterparty, collection, object_id, version_key, lane) DO NOTHING",
        )
        .map_err(db_error)?;
    let mut added = 0;
    for object in objects {
        let (message_id, draft_id) = match &object.source {
            StixSource::Message(message) => (Some(message.to_string()), None),
            StixSource::Draft(draft) => (None, Some(draft.as_str())),
        };
        let inserted = insert
            .execute(params![
                next,
                object.counterparty.as_str(),
                object.collection.as_str(),
                object.object_id,
                object.object_type,
                object.spec_version,
                object.version,
                object.version_key.as_deref().unwrap_or(""),
                object.lane,
                message_id,
                draft_id,
                object.json,
            ])
            .map_err(db_error)?;
        if inserted == 0 {
            continue;
        }
        added += 1;
        next = next.checked_add(1).ok_or_else(|| {
            StoreError::Corrupt(format!("{T}.added_us: {next} leaves no later value"))
        })?;
    }
    Ok(added)
}

/// [`crate::Store::add_stix_objects`]: the checks, then one transaction.
pub(super) fn add_objects(
    conn: &mut Connection,
    objects: &[NewStixObject],
    now: Timestamp,
) -> Result<usize, StoreError> {
    check_objects(objects, "add_stix_objects")?;
    let tx = write_transaction(conn)?;
    let added = insert_objects(&tx, objects, now)?;
    tx.commit().map_err(db_error)?;
    Ok(added)
}

/// The rows of the query's lanes that are the same object as row `r`
/// (`o.` columns), for the `NOT EXISTS` probes; each is one search of
/// `stix_objects_by_object`.
const VISIBLE: &str = "SELECT 1 FROM stix_objects AS o INDEXED BY stix_objects_by_object
    WHERE o.counterparty = r.counterparty AND o.collection = r.collection
      AND o.object_id = r.object_id AND o.lane IN (SELECT value FROM json_each(:lanes))";

/// Row `r` is the copy of its version served: no visible copy of the same
/// version was added before it.
fn kept() -> String {
    format!("NOT EXISTS ({VISIBLE} AND o.version_key = r.version_key AND o.added_us < r.added_us)")
}

/// Row `r` is the latest version the reader sees: none visible is greater.
fn no_greater() -> String {
    format!("NOT EXISTS ({VISIBLE} AND o.version_key > r.version_key)")
}

/// Row `r` is the first version the reader sees: none visible is less.
fn no_lesser() -> String {
    format!("NOT EXISTS ({VISIBLE} AND o.version_key < r.version_key)")
}

/// The page's rows by key, in [`ObjectRow`] order, with `latest` and
/// `first` as the reader sees them (over the query's lanes).
fn fetch_sql() -> String {
    format!(
        "SELECT r.added_us, r.counterparty, r.collection, r.object_id, r.object_type,
            r.spec_version, r.version, r.version_key, r.lane, r.message_id, r.draft_id, r.json,
            {}, {}
         FROM stix_objects AS r
         WHERE r.added_us IN (SELECT value FROM json_each(:keys))
         ORDER BY r.added_us",
        no_greater(),
        no_lesser()
    )
}

/// Columns of an object: `added_us, counterparty, collection, object_id,
/// object_type, spec_version, version, version_key, lane, message_id,
/// draft_id, json`, then whether it is the latest and the first version
/// the reader sees.
type ObjectRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Vec<u8>,
    bool,
    bool,
);

/// Parses an [`ObjectRow`]; a value no object can hold is [`StoreError::Corrupt`].
fn stored_object(row: ObjectRow) -> Result<StoredStixObject, StoreError> {
    let (added_us, counterparty, collection, object_id, object_type, spec_version) =
        (row.0, row.1, row.2, row.3, row.4, row.5);
    let (version, version_key, lane, message_id, draft_id, json, latest, first) =
        (row.6, row.7, row.8, row.9, row.10, row.11, row.12, row.13);
    let key = added_us.to_string();
    let key = key.as_str();
    let corrupt =
        |column: &str, why: String| StoreError::Corrupt(format!("{T}.{column} of {key:?}: {why}"));
    let version_key = match (&version, version_key.is_empty()) {
        (Some(_), false) => Some(version_key),
        (None, true) => None,
        (_, empty) => {
            return Err(corrupt(
                "version_key",
                format!(
                    "{} with version {version:?}",
                    if empty { "empty" } else { "set" }
                ),
            ));
        }
    };
    let source = match (message_id, draft_id) {
        (Some(message), None) => {
            StixSource::Message(rows::parse::<MessageId>(T, "message_id", key, &message)?)
        }
        (None, Some(draft)) => StixSource::Draft(rows::parse(T, "draft_id", key, &draft)?),
        (message, draft) => {
            return Err(corrupt(
                "message_id",
                format!("message {message:?} and draft {draft:?}; exactly one is the source"),
            ));
        }
    };
    Ok(StoredStixObject {
        object: NewStixObject {
            counterparty: rows::parse(T, "counterparty", key, &counterparty)?,
            collection: rows::parse(T, "collection", key, &collection)?,
            object_id,
            object_type,
            spec_version,
            version,
            version_key,
            lane,
            source,
            json,
        },
        added_us,
        latest,
        first,
    })
}

/// The condition a [`VersionFilter`] puts on rows, beyond [`kept`]:
/// `None` for every version, else the `OR` of what it asks for (an empty
/// text: nothing). Latest and first are over the query's lanes.
fn version_condition(versions: &VersionFilter, at: bool) -> Option<String> {
    if versions.all {
        return None;
    }
    let mut parts = Vec::new();
    if versions.first {
        parts.push(no_lesser());
    }
    if versions.last {
        parts.push(no_greater());
    }
    if at {
        parts.push("r.version_key IN (SELECT value FROM json_each(:at))".to_owned());
    }
    Some(parts.join(" OR "))
}

/// The statement selecting the keys (`added_us`) of one shape of query;
/// values are bound, so there are few distinct texts and each is prepared
/// once. With `ids`, one search of the objects' versions over the query's
/// lanes; without, one lane's range scan.
fn query_sql(query: &StixQuery, at: bool) -> String {
    let versions = version_condition(&query.versions, at);
    let (index, lanes) = if !query.ids.is_empty() {
        (
            "stix_objects_by_object",
            " AND r.object_id IN (SELECT value FROM json_each(:ids))
              AND r.lane IN (SELECT value FROM json_each(:lanes))",
        )
    } else {
        ("stix_objects_by_lane", " AND r.lane = :lane")
    };
    let mut sql = format!(
        "SELECT r.added_us FROM stix_objects AS r INDEXED BY {index}
         WHERE r.counterparty = :counterparty AND r.collection = :collection{lanes}
           AND r.added_us > :after AND {}",
        kept()
    );
    if let Some(versions) = versions {
        sql.push_str(&format!(" AND ({versions})"));
    }
    if !query.types.is_empty() {
        sql.push_str(" AND r.object_type IN (SELECT value FROM json_each(:types))");
    }
    if !query.spec_versions.is_empty() {
        sql.push_str(" AND r.spec_version IN (SELECT value FROM json_each(:spec_versions))");
    }
    sql.push_str(" ORDER BY r.added_us LIMIT :limit");
    sql
}

/// A list of texts as the JSON array `json_each` reads.
fn json_list<'a>(values: impl IntoIterator<Item = &'a String>) -> Result<String, StoreError> {
    let values: Vec<&String> = values.into_iter().collect();
    serde_json::to_string(&values).map_err(|e| StoreError::Backend(e.to_string()))
}

/// [`crate::Store::stix_objects`]: each lane's keys, merged by
/// `added_us` (with ids, one search), then the page's rows by key, all in
/// one read transaction (one snapshot).
pub(super) fn query(
    conn: &Connection,
    query: &StixQuery,
) -> Result<Vec<StoredStixObject>, StoreError> {
    let versions = &query.versions;
    // A version key is never empty: "" would find objects with no version.
    let at: BTreeSet<&String> = versions.at.iter().filter(|key| !key.is_empty()).collect();
    let matches_any = versions.all || versions.first || versions.last || !at.is_empty();
    if query.lanes.is_empty() || query.limit == 0 || !matches_any {
        return Ok(Vec::new());
    }
    let lanes: BTreeSet<&String> = query.lanes.iter().collect();
    let at_used = !at.is_empty() && !versions.all;
    let sql = query_sql(query, at_used);
    let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
    let after = query.after_us.unwrap_or(i64::MIN);
    let (counterparty, collection) = (query.counterparty.as_str(), query.collection.as_str());
    let at = json_list(at)?;
    let (ids, types, spec_versions) = (
        json_list(&query.ids)?,
        json_list(&query.types)?,
        json_list(&query.spec_versions)?,
    );
    let lane_list = json_list(lanes.iter().copied())?;
    let mut bound: Vec<(&str, &dyn ToSql)> = vec![
        (":counterparty", &counterparty),
        (":collection", &collection),
        (":lanes", &lane_list),
        (":after", &after),
        (":limit", &limit),
    ];
    // Only the parameters the statement names: binding another is an error.
    for (name, value, used) in [
        (":at", &at, at_used),
        (":ids", &ids, !query.ids.is_empty()),
        (":types", &types, !query.types.is_empty()),
        (
            ":spec_versions",
            &spec_versions,
            !query.spec_versions.is_empty(),
        ),
    ] {
        if used {
            bound.push((name, value as &dyn ToSql));
        }
    }
    // One snapshot for the keys and the rows: a version added between them
    // could otherwise change the flags of a row already chosen.
    let tx = conn.unchecked_transaction().map_err(db_error)?;
    let key = |(added_us,): (i64,)| Ok::<_, StoreError>(added_us);
    let mut keys = if query.ids.is_empty() {
        let mut keys = Vec::new();
        for lane in lanes {
            let mut with_lane = bound.clone();
            with_lane.push((":lane", lane));
            keys.extend(all_rows(&tx, &sql, with_lane.as_slice(), key)?);
        }
        keys
    } else {
        all_rows(&tx, &sql, bound.as_slice(), key)?
    };
    keys.sort_unstable();
    keys.truncate(query.limit);
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let keys = serde_json::to_string(&keys).map_err(|e| StoreError::Backend(e.to_string()))?;
    let found = all_rows(
        &tx,
        &fetch_sql(),
        rusqlite::named_params! { ":keys": keys, ":lanes": lane_list },
        stored_object,
    )?;
    tx.finish().map_err(db_error)?;
    Ok(found)
}

/// [`crate::Store::messages_after`]: along the rowid, which only grows:
/// messages are never deleted, so no rowid is reused, and with no gaps a
/// `VACUUM` that renumbered them in order would give the same numbers.
pub(super) fn messages_after(
    conn: &Connection,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, StoredMessage)>, StoreError> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    all_rows(
        conn,
        concat!(
            select_messages!(),
            " WHERE m.rowid > ?1 ORDER BY m.rowid LIMIT ?2"
        ),
        params![after, limit],
        |row: MessageRow| Ok((row.position()?, row.into_stored()?)),
    )
}

/// The stored watermark, 0 without one.
fn read_watermark(conn: &Connection) -> Result<u64, StoreError> {
    let position: Option<(i64,)> = optional_row(
        conn,
        "SELECT position FROM stix_watermark WHERE singleton = 1",
        [],
    )?;
    position.map_or(Ok(0), |(position,)| {
        rows::log_index("stix_watermark", "position", "1", position)
    })
}

/// [`crate::Store::stix_watermark`].
pub(super) fn watermark(conn: &Connection) -> Result<u64, StoreError> {
    read_watermark(conn)
}

/// [`crate::Store::index_stix`]: the comparison, the objects and the new
/// watermark in one `IMMEDIATE` transaction.
pub(super) fn index(
    conn: &mut Connection,
    from: u64,
    to: u64,
    objects: &[NewStixObject],
    now: Timestamp,
) -> Result<bool, StoreError> {
    const OPERATION: &str = "index_stix";
    let misuse = |why: String| {
        Err(StoreError::Misuse {
            operation: OPERATION,
            why,
        })
    };
    if to < from {
        return misuse(format!(
            "watermark {from} -> {to} goes back; the indexer only moves forward"
        ));
    }
    // `from` is no greater, so it fits too.
    let Ok(to_sql) = i64::try_from(to) else {
        return misuse(format!(
            "watermark {from} -> {to} is beyond the largest storable {}",
            i64::MAX
        ));
    };
    check_objects(objects, OPERATION)?;
    let tx = write_transaction(conn)?;
    if read_watermark(&tx)? != from {
        return Ok(false);
    }
    insert_objects(&tx, objects, now)?;
    tx.prepare_cached(
        "INSERT INTO stix_watermark (singleton, position) VALUES (1, ?1)
         ON CONFLICT (singleton) DO UPDATE SET position = excluded.position",
    )
    .map_err(db_error)?
    .execute([to_sql])
    .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CollectionKind;
    use crate::sqlite::schema;

    fn query(ids: &[&str], versions: VersionFilter) -> StixQuery {
        StixQuery {
            counterparty: "US".parse().expect("party"),
            collection: CollectionKind::ReceivedFrom,
            lanes: vec!["green".to_owned()],
            after_us: None,
            ids: ids.iter().map(|id| (*id).to_owned()).collect(),
            types: vec!["indicator".to_owned()],
            versions,
            spec_versions: vec!["2.1".to_owned()],
            limit: 10,
        }
    }

    /// The plan SQLite chooses for `sql`, one line per step (with every
    /// parameter unbound, i.e. NULL: the plan does not depend on values).
    fn plan(sql: &str) -> String {
        let mut conn = Connection::open_in_memory().expect("open");
        schema::prepare(&mut conn, false).expect("schema");
        let mut statement = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("the statement prepares: its index serves it");
        let mut rows = statement.raw_query();
        let mut steps = Vec::new();
        while let Some(row) = rows.next().expect("explain") {
            steps.push(row.get::<_, String>(3).expect("detail"));
        }
        steps.join("\n")
    }

    /// The lines of `plan` about the table scanned as `alias`.
    fn steps<'a>(plan: &'a str, alias: &str) -> Vec<&'a str> {
        plan.lines()
            .filter(|line| line.contains(&format!(" {alias} ")))
            .collect()
    }

    /// Every `NOT EXISTS` probe (`o`) is a search of the object index on
    /// the object and its version key, never a scan; `probes` of them.
    fn assert_probes(plan: &str, probes: usize) {
        let searches = steps(plan, "o");
        assert_eq!(searches.len(), probes, "{plan}");
        for search in searches {
            assert!(
                search.contains("SEARCH o USING COVERING INDEX stix_objects_by_object")
                    && search.contains(
                        "counterparty=? AND collection=? AND object_id=? AND version_key"
                    ),
                "{plan}"
            );
        }
        assert!(!plan.contains("SCAN o"), "{plan}");
    }

    /// The probe for an earlier visible copy of the same version: the
    /// whole key, each lane named, and the rowid below.
    const KEPT_PROBE: &str = "SEARCH o USING COVERING INDEX stix_objects_by_object \
        (counterparty=? AND collection=? AND object_id=? AND version_key=? AND lane=? AND rowid<?)";

    /// The constant-cost property: each lane is one range scan of the lane
    /// index in `added_us` order, which stops at `LIMIT`; nothing is
    /// sorted; every probe of the reader's view of an object (an earlier
    /// copy, a greater or lesser version) is a search of the object index.
    #[test]
    fn a_lane_is_one_range_scan_in_added_order() {
        let none = VersionFilter::default();
        for (versions, probes) in [
            (
                VersionFilter {
                    last: true,
                    ..none.clone()
                },
                2,
            ),
            (
                VersionFilter {
                    all: true,
                    ..none.clone()
                },
                1,
            ),
            (
                VersionFilter {
                    first: true,
                    ..none.clone()
                },
                2,
            ),
            (
                VersionFilter {
                    first: true,
                    last: true,
                    at: vec!["k".to_owned()],
                    ..none.clone()
                },
                3,
            ),
        ] {
            let at = !versions.at.is_empty();
            let plan = plan(&query_sql(&query(&[], versions), at));
            assert_eq!(
                steps(&plan, "r"),
                vec![
                    "SEARCH r USING INDEX stix_objects_by_lane \
                     (counterparty=? AND collection=? AND lane=? AND added_us>?)"
                ],
                "{plan}"
            );
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
            assert_probes(&plan, probes);
            assert!(plan.contains(KEPT_PROBE), "{plan}");
        }
    }

    /// With ids, the cost is that of those objects' versions: one search
    /// of the unique index per id (then a sort of their keys).
    #[test]
    fn ids_are_searched_on_the_object_index() {
        let plan = plan(&query_sql(
            &query(
                &["indicator--1"],
                VersionFilter {
                    last: true,
                    ..VersionFilter::default()
                },
            ),
            false,
        ));
        let scans = steps(&plan, "r");
        assert_eq!(scans.len(), 1, "{plan}");
        assert!(
            scans[0].starts_with(
                "SEARCH r USING INDEX stix_objects_by_object \
                 (counterparty=? AND collection=? AND object_id=?"
            ),
            "{plan}"
        );
        assert!(!plan.contains("SCAN r"), "{plan}");
        assert_probes(&plan, 2);
        assert!(plan.contains(KEPT_PROBE), "{plan}");
    }

    /// The page's rows are read by rowid, each flag one search of the
    /// object index.
    #[test]
    fn the_page_is_read_by_key() {
        let plan = plan(&fetch_sql());
        let reads = steps(&plan, "r");
        assert_eq!(reads.len(), 1, "{plan}");
        assert!(
            reads[0].starts_with("SEARCH r USING INTEGER PRIMARY KEY (rowid=?)"),
            "{plan}"
        );
        assert_probes(&plan, 2);
    }

    /// Adding objects starts from the greatest `added_us`: one search.
    #[test]
    fn the_next_added_us_is_one_search() {
        let plan = plan("SELECT max(added_us) FROM stix_objects");
        assert!(plan.contains("SEARCH stix_objects"), "{plan}");
    }
}
