//! The backend conformance suite: the [`Store`] contract as executable checks.
//!
//! Every backend's tests call [`run_all`] with a function that makes a
//! fresh, empty store; each check gets its own store, writes its own data,
//! and panics with a message naming the broken rule. A new backend (say
//! PostgreSQL) is done when it passes this suite unchanged; a new rule of
//! the contract is added here first, so every backend is held to it.
//!
//! What is checked, by contract:
//! - one transaction: a refused enqueue or accept writes nothing (no
//!   message, no outbox row, no overwritten receipt);
//! - ids are used once: a second envelope under a stored id is refused;
//!   the same envelope accepted twice returns the first receipt;
//! - delivery: a receipt marks a message delivered and clears its outbox
//!   entry, exactly once; a failure reschedules it;
//! - the outbox: due entries oldest first, bounded, and `next_delivery_at`;
//!   counts per kind, direction and state and the queue per peer (with its
//!   oldest message) follow enqueueing and delivery; `check_writable`
//!   writes nothing;
//! - listings: mailbox, state, counterparty and limit filters, newest first
//!   (ties by id, descending), and tier visibility (sent *from* or received
//!   *for* one of the officer's tiers; no tiers, no messages);
//! - `acknowledged_by`: the earliest acknowledgement answering a message;
//! - threads: a message and every stored answer at any depth, by
//!   `created_at` then id, each as `message()` reads it; empty for an
//!   unstored root; each member once even in a cycle; at most
//!   `MAX_THREAD_DEPTH` replies deep;
//! - peers and officers: upsert, lookup, listing order, duplicates, removal;
//! - the log: a batch writes its entries, messages (with their log index,
//!   outbox rows and receipts) and checkpoint together; its checkpoint is a
//!   compare-and-swap on the size (`LogConflict`); a stored id or a
//!   malformed batch (`Misuse`) fails it whole; the records its received
//!   messages carry (guarantee and pledge steps, agreement signatures) are
//!   written with it, a repeat recording nothing and a conflicting one
//!   failing it whole; nothing of a refused batch is written; entries read back in order, fewer past the end;
//! - copies of the peers' logs: appended from their end, read back in
//!   order (fewer past the end), entries held kept as they are, each
//!   origin's copy apart; a gap is `Misuse` and writes nothing;
//! - witnessing: a witness record changes only by a compare-and-swap on its
//!   size (`None`: only if absent), a refused swap changes nothing, and of
//!   two swaps from one size only the first wins; the log keeps each
//!   witness's latest cosignature (a smaller size is ignored, the same size
//!   replaces), listed by witness; sizes past `i64::MAX` are `Misuse`;
//! - alarms: every field round-trips (evidence byte for byte), oldest
//!   first, ties in the order raised; the same alarm (kind, subject and
//!   evidence) is recorded once, the first kept, and `raise_alarm` says
//!   whether it recorded;
//! - agreement signatures: read back by signer (byte order); the same
//!   signer's signature over the same document again records nothing;
//!   one over another document, or any signature over another document
//!   than the version's first, is `AgreementSignatureConflict` and writes
//!   nothing; signed versions listed by id, newest first; version 0 is
//!   `Misuse`;
//!   not again on a repeated delivery; another message's timer, two of one
//!   kind or one met in part is `Misuse` and writes nothing, not the
//!   delivery either; due ones (open, `next_at` reached) by `next_at`,
//!   message id and kind name, bounded; `next_deadline_at` counts only open
//!   timers with a `next_at`; advancing is a compare-and-swap on the rungs
//!   fired, refused once met; a deadline is met once, the first answer
//!   kept; listings by `due_at`, open only or all, bounded; counts by
//!   state at a moment (open, met, late, missed); an unknown
//!   message has none;
//! - records of guarantees and pledges: read back exactly (signed bytes
//!   byte for byte) by `at`, role and party; the same record again records
//!   nothing; one party's second record in a role (another document, other
//!   bytes, another message), a publication or signature over another
//!   document than the first, or a withdrawal naming another, is
//!   `DocumentConflict` naming what differs and writes nothing; a
//!   withdrawal before any publication or signature fixes nothing; ids
//!   listed per kind in byte order; an unknown document has none; a
//!   malformed id is `Misuse`;
//! - STIX objects of the TAXII collections: every field round-trips;
//!   `added_us` is the clock, or one more than the greatest stored, so
//!   unique and increasing even when the clock steps back; a second copy of
//!   a version (no version counting as one) in the same lane is not added,
//!   the first kept, and one in another lane is (each reader reads their
//!   own copy back); `latest` and `first` follow versions arriving in any
//!   order; each version filter, and their combinations; only the lanes
//!   named are read, and `last`/`first` are per reader (over those lanes),
//!   a version in two of them returned once; ids, types and spec versions
//!   filter; pages after `added_us` visit every visible (object, version)
//!   once, bounded by `limit`; a malformed object is `Misuse` and writes
//!   nothing;
//! - the indexer: messages in the order stored after a position, each as
//!   `message()` reads it; the watermark starts at 0 and moves only by a
//!   compare-and-swap that adds its objects with it (a stale one writes
//!   nothing; backwards is `Misuse`);
//! - drafts: stored open with their objects and status; a duplicate id or
//!   objects not the draft's write nothing; deciding is a compare-and-swap
//!   from open (open is no decision, sent needs a message, discarded has
//!   none); a sent draft reopens only for its message; listings newest
//!   first by state and counterparty, bounded;
//! - TAXII status resources round-trip and are replaced under their id;
//!   TAXII accounts: every field and the grants in the order given, listed
//!   by name, a stored name is `TaxiiAccountExists`, removal takes the
//!   grants; two grants on one collection or a grant of nothing is
//!   `Misuse`;
//! - the console: an officer's password (argon2id PHC strings only) and
//!   language, replaced when set again, gone with the officer; sessions
//!   read back, `seen_at` only moving forward, ended one by one, per
//!   officer, with the officer, or pruned when expired or idle; failed
//!   sign-ins counted one by one per name, a lockout kept, cleared by a
//!   good sign-in;
//! - alerts: one per event (`cause_key`), every field read back, listed
//!   newest first (open only or all, bounded); due alerts by `next_at`; a
//!   rota step moves only from the stored step, not after an
//!   acknowledgement, and writes its notice in the same commit; notices
//!   due by attempt time, retried or given up, `sent` final; an
//!   acknowledgement is kept once (the first), clears the next step and
//!   cancels pending notices; an unknown alert is `NotFound`; counts by
//!   state (open, unanswered, acknowledged).
//!
//! This is test code: it panics (asserts, `expect`) instead of returning errors.

mod agreements;
mod alerts;
mod cards;
mod console;
mod data;
mod deadlines;
mod delivery;
mod directory;
mod documents;
mod listing;
mod log;
mod log_copies;
mod messages;
mod taxii;
mod taxii_drafts;
mod taxii_queries;
mod thread;
mod witness;

pub use agreements::{
    a_second_agreement_signature_over_other_bytes_is_a_conflict,
    agreement_signature_misuse_is_refused_and_writes_nothing,
    agreement_signatures_round_trip_by_signer, agreement_versions_by_id_newest_first,
    an_agreement_signature_over_another_document_is_a_conflict,
    the_same_agreement_signature_again_records_nothing,
};
pub use alerts::{
    an_acknowledgement_stops_everything_and_is_kept_once, notices_are_sent_retried_and_given_up,
    one_event_raises_one_alert_read_back_whole,
    rota_steps_move_by_compare_and_swap_with_their_notice,
};
pub use cards::{
    a_peers_card_joins_the_history_once, advancing_a_peer_card_is_a_compare_and_swap,
    card_misuse_is_refused_and_writes_nothing,
};
pub use console::{
    console_sessions_open_touch_end_and_prune,
    officer_passwords_and_languages_are_kept_and_go_with_the_officer,
    sign_in_failures_count_lock_and_clear,
};
pub use deadlines::{
    a_deadline_is_met_once, advancing_a_deadline_is_a_compare_and_swap,
    deadline_listing_is_by_due_at_open_only_and_bounded,
    deadline_misuse_is_refused_and_writes_nothing, deadlines_are_written_with_the_delivery_once,
    deadlines_of_an_unknown_message_are_empty,
    due_deadlines_are_by_next_at_then_message_then_kind_and_bounded,
    next_deadline_at_ignores_met_and_finished_timers,
};
pub use delivery::{
    counts_follow_the_queue_and_deliveries, delivery_failure_reschedules,
    delivery_marks_delivered_and_clears_outbox, delivery_of_unknown_message_is_not_found,
    due_deliveries_are_oldest_first_and_bounded,
};
pub use directory::{officers_add_lookup_and_remove, peers_upsert_lookup_and_list};
pub use documents::{
    a_document_record_over_another_document_is_a_conflict,
    a_document_withdrawal_naming_another_document_is_a_conflict,
    a_second_document_record_by_one_party_and_role_is_a_conflict,
    document_ids_are_per_kind_in_byte_order, document_record_misuse_is_refused_and_writes_nothing,
    document_records_are_by_at_then_role_then_party,
    document_records_of_an_unknown_document_are_empty, document_signed_bytes_are_stored_exactly,
    the_same_document_record_again_records_nothing,
};
pub use listing::{
    acknowledged_by_is_the_earliest_acknowledgement, kind_filter_lists_only_that_kind,
    mailbox_state_and_counterparty_filters, tier_visibility_filters_listings,
};
pub use log::{
    empty_log_has_no_checkpoint_and_no_entries, enqueue_and_accept_store_the_log_index_given,
    large_log_batches_keep_every_entry_in_order, log_batch_misuse_is_refused_and_writes_nothing,
    log_batch_stores_the_records_its_messages_carry,
    log_batch_with_a_conflicting_record_fails_whole_and_writes_nothing,
    log_batch_with_a_stale_size_is_a_conflict_and_writes_nothing,
    log_batch_with_a_stored_id_fails_whole_and_writes_nothing,
    log_batch_writes_entries_messages_and_checkpoint, log_batches_extend_the_log,
};
pub use log_copies::{
    a_log_copy_grows_from_its_end_keeping_what_it_holds,
    a_log_copy_with_a_gap_is_misuse_and_writes_nothing,
};
pub use messages::{
    accept_refuses_another_envelope_under_a_used_id, accept_stores_message_with_receipt,
    accept_twice_returns_the_first_receipt, direction_mismatch_is_refused,
    enqueue_refuses_a_used_id_and_writes_nothing, enqueue_stores_message_and_outbox_entry,
};
pub use taxii::{
    a_stix_version_is_stored_once_per_lane, messages_after_lists_messages_in_the_order_stored,
    stix_latest_and_first_follow_versions_arriving_out_of_order,
    stix_object_misuse_is_refused_and_writes_nothing, stix_objects_get_unique_increasing_added_us,
    the_stix_watermark_is_a_compare_and_swap,
};
pub use taxii_drafts::{
    a_draft_is_stored_with_its_objects_and_status, a_duplicate_or_malformed_draft_writes_nothing,
    a_sent_draft_reopens_only_for_its_message, deciding_a_draft_is_a_compare_and_swap,
    drafts_are_listed_newest_first_by_state_and_counterparty,
    taxii_account_misuse_is_refused_and_writes_nothing, taxii_accounts_add_list_and_remove,
    taxii_statuses_round_trip,
};
pub use taxii_queries::{
    stix_ids_types_and_spec_versions_filter, stix_last_and_first_are_per_reader,
    stix_pages_after_added_us_visit_every_row_once, stix_queries_read_only_the_lanes_named,
    stix_version_filters_select_first_last_all_and_at,
};
pub use thread::{
    thread_follows_answers_down_to_the_depth_limit, thread_lists_each_message_once_even_in_a_cycle,
    thread_lists_the_root_and_every_answer_by_created_at, thread_of_an_unstored_root_is_empty,
};
pub use witness::{
    alarms_differing_in_kind_subject_or_evidence_are_distinct, alarms_round_trip_oldest_first,
    cosignatures_keep_the_latest_per_witness_by_witness,
    racing_witness_swaps_from_one_size_only_the_first_wins,
    raising_the_same_alarm_again_records_nothing, witness_record_is_a_compare_and_swap_on_its_size,
    witness_sizes_beyond_i64_are_misuse,
};

use crate::Store;

/// A check of one rule, run against a fresh store.
pub type Check = fn(&dyn Store);

/// `(name, check)` pairs, named after the functions.
macro_rules! checks {
    ($($check:ident),+ $(,)?) => {
        &[$((stringify!($check), $check as Check)),+]
    };
}

/// Every check, by name, in the order [`run_all`] runs them.
pub const CHECKS: &[(&str, Check)] = checks![
    enqueue_stores_message_and_outbox_entry,
    enqueue_refuses_a_used_id_and_writes_nothing,
    direction_mismatch_is_refused,
    accept_stores_message_with_receipt,
    accept_twice_returns_the_first_receipt,
    accept_refuses_another_envelope_under_a_used_id,
    delivery_marks_delivered_and_clears_outbox,
    delivery_of_unknown_message_is_not_found,
    due_deliveries_are_oldest_first_and_bounded,
    delivery_failure_reschedules,
    counts_follow_the_queue_and_deliveries,
    tier_visibility_filters_listings,
    mailbox_state_and_counterparty_filters,
    acknowledged_by_is_the_earliest_acknowledgement,
    kind_filter_lists_only_that_kind,
    thread_lists_the_root_and_every_answer_by_created_at,
    thread_of_an_unstored_root_is_empty,
    thread_lists_each_message_once_even_in_a_cycle,
    thread_follows_answers_down_to_the_depth_limit,
    peers_upsert_lookup_and_list,
    a_peers_card_joins_the_history_once,
    advancing_a_peer_card_is_a_compare_and_swap,
    card_misuse_is_refused_and_writes_nothing,
    officers_add_lookup_and_remove,
    empty_log_has_no_checkpoint_and_no_entries,
    log_batch_writes_entries_messages_and_checkpoint,
    log_batch_with_a_stale_size_is_a_conflict_and_writes_nothing,
    log_batch_with_a_stored_id_fails_whole_and_writes_nothing,
    log_batch_stores_the_records_its_messages_carry,
    log_batch_with_a_conflicting_record_fails_whole_and_writes_nothing,
    log_batches_extend_the_log,
    large_log_batches_keep_every_entry_in_order,
    log_batch_misuse_is_refused_and_writes_nothing,
    enqueue_and_accept_store_the_log_index_given,
    a_log_copy_grows_from_its_end_keeping_what_it_holds,
    a_log_copy_with_a_gap_is_misuse_and_writes_nothing,
    witness_record_is_a_compare_and_swap_on_its_size,
    racing_witness_swaps_from_one_size_only_the_first_wins,
    witness_sizes_beyond_i64_are_misuse,
    cosignatures_keep_the_latest_per_witness_by_witness,
    alarms_round_trip_oldest_first,
    raising_the_same_alarm_again_records_nothing,
    alarms_differing_in_kind_subject_or_evidence_are_distinct,
    agreement_signatures_round_trip_by_signer,
    the_same_agreement_signature_again_records_nothing,
    a_second_agreement_signature_over_other_bytes_is_a_conflict,
    an_agreement_signature_over_another_document_is_a_conflict,
    agreement_versions_by_id_newest_first,
    agreement_signature_misuse_is_refused_and_writes_nothing,
    deadlines_are_written_with_the_delivery_once,
    deadline_misuse_is_refused_and_writes_nothing,
    due_deadlines_are_by_next_at_then_message_then_kind_and_bounded,
    next_deadline_at_ignores_met_and_finished_timers,
    advancing_a_deadline_is_a_compare_and_swap,
    a_deadline_is_met_once,
    deadlines_of_an_unknown_message_are_empty,
    deadline_listing_is_by_due_at_open_only_and_bounded,
    document_records_are_by_at_then_role_then_party,
    document_signed_bytes_are_stored_exactly,
    the_same_document_record_again_records_nothing,
    a_second_document_record_by_one_party_and_role_is_a_conflict,
    a_document_record_over_another_document_is_a_conflict,
    a_document_withdrawal_naming_another_document_is_a_conflict,
    document_ids_are_per_kind_in_byte_order,
    document_records_of_an_unknown_document_are_empty,
    document_record_misuse_is_refused_and_writes_nothing,
    stix_objects_get_unique_increasing_added_us,
    a_stix_version_is_stored_once_per_lane,
    stix_latest_and_first_follow_versions_arriving_out_of_order,
    stix_version_filters_select_first_last_all_and_at,
    stix_queries_read_only_the_lanes_named,
    stix_last_and_first_are_per_reader,
    stix_ids_types_and_spec_versions_filter,
    stix_pages_after_added_us_visit_every_row_once,
    stix_object_misuse_is_refused_and_writes_nothing,
    messages_after_lists_messages_in_the_order_stored,
    the_stix_watermark_is_a_compare_and_swap,
    a_draft_is_stored_with_its_objects_and_status,
    a_duplicate_or_malformed_draft_writes_nothing,
    deciding_a_draft_is_a_compare_and_swap,
    a_sent_draft_reopens_only_for_its_message,
    drafts_are_listed_newest_first_by_state_and_counterparty,
    taxii_statuses_round_trip,
    taxii_accounts_add_list_and_remove,
    taxii_account_misuse_is_refused_and_writes_nothing,
    officer_passwords_and_languages_are_kept_and_go_with_the_officer,
    console_sessions_open_touch_end_and_prune,
    sign_in_failures_count_lock_and_clear,
    one_event_raises_one_alert_read_back_whole,
    rota_steps_move_by_compare_and_swap_with_their_notice,
    notices_are_sent_retried_and_given_up,
    an_acknowledgement_stops_everything_and_is_kept_once,
];

/// Runs every check in [`CHECKS`], each against a fresh store from `make`.
///
/// Each check's name is printed to stderr before it runs, so the test
/// output of a failure shows which rule broke.
pub fn run_all(make: &dyn Fn() -> Box<dyn Store>) {
    for (name, check) in CHECKS {
        eprintln!("store conformance: {name}");
        let store = make();
        check(store.as_ref());
    }
}
