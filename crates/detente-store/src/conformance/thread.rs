//! Checks of a message's thread: the message and every stored answer to it,
//! at any depth, by `created_at` (docs/protocol.md, "The envelope": `in_reply_to`).

use detente_proto::ids::MessageId;
use detente_proto::kind::MessageKind;

use crate::{LogBatch, MAX_THREAD_DEPTH, NewMessage, Store, StoredMessage};

use super::data::*;

fn thread(store: &dyn Store, root: &MessageId) -> Vec<StoredMessage> {
    store
        .thread(root)
        .unwrap_or_else(|e| panic!("thread({root}) failed: {e}"))
}

/// The ids of `root`'s thread, in order.
fn thread_ids(store: &dyn Store, root: &MessageId) -> Vec<MessageId> {
    thread(store, root)
        .into_iter()
        .map(|stored| stored.message.id)
        .collect()
}

/// `message`, answering message `to`, created `ms` after `T0`.
fn answer(message: NewMessage, to: u64, ms: i64) -> NewMessage {
    NewMessage {
        in_reply_to: Some(id(to)),
        created_at: at(ms),
        ..message
    }
}

/// A root with direct answers and an answer to an answer, in both
/// directions, comes back whole and by `created_at`, then id — an answer
/// created before its root (the peer's clock) first; another thread's
/// messages do not. Each member reads back exactly as `message()` reads it:
/// state, receipt, delivery, outbox and `acknowledged_by` included.
pub fn thread_lists_the_root_and_every_answer_by_created_at(store: &dyn Store) {
    let root = sent(1);
    let late = answer(received(2), 1, 9_000);
    let ack = NewMessage {
        kind: MessageKind::Acknowledgement,
        ..answer(received(3), 1, 3_000)
    };
    let answer_to_ack = answer(sent(4), 3, 5_000);
    let tie = answer(sent(5), 2, 9_000);
    let early = answer(received(8), 1, 500);
    let other_root = sent(6);
    let other_answer = answer(received(7), 6, 7_000);

    enqueue(store, &root, at(0));
    accept(store, &late, b"receipt 2");
    accept(store, &ack, b"receipt 3");
    enqueue(store, &answer_to_ack, at(0));
    store
        .record_delivery(&answer_to_ack.id, b"their receipt 4", at(6_000), &[])
        .expect("record_delivery");
    enqueue(store, &tie, at(0));
    store
        .record_delivery_failure(&tie.id, 2, at(20_000), "connection refused")
        .expect("record_delivery_failure");
    accept(store, &early, b"receipt 8");
    enqueue(store, &other_root, at(0));
    accept(store, &other_answer, b"receipt 7");

    let whole = thread(store, &root.id);
    assert_eq!(
        whole.iter().map(|s| s.message.id).collect::<Vec<_>>(),
        vec![early.id, root.id, ack.id, answer_to_ack.id, late.id, tie.id],
        "the root and every answer at any depth, by created_at then id; not another thread"
    );
    for member in &whole {
        assert_eq!(
            get(store, &member.message.id).as_ref(),
            Some(member),
            "a thread member reads as message() reads it"
        );
    }
    assert_eq!(
        whole[1].acknowledged_by,
        Some((ack.id, ack.created_at)),
        "the root's acknowledgement is filled in, as by message()"
    );

    assert_eq!(
        thread_ids(store, &ack.id),
        vec![ack.id, answer_to_ack.id],
        "an answer's thread is the answers below it, not its root"
    );
    assert_eq!(
        thread_ids(store, &other_root.id),
        vec![other_root.id, other_answer.id],
        "the other thread"
    );
    assert_eq!(
        thread_ids(store, &tie.id),
        vec![tie.id],
        "a message nobody answered is a thread of one"
    );
}

/// An unknown root has no thread, not even when stored messages answer it;
/// a message answering an unstored one is the root of its own thread.
pub fn thread_of_an_unstored_root_is_empty(store: &dyn Store) {
    assert_eq!(
        thread(store, &id(99)),
        vec![],
        "an empty store has no threads"
    );
    let orphan = answer(received(1), 98, 1_000);
    let reply = answer(sent(2), 1, 2_000);
    accept(store, &orphan, b"receipt 1");
    enqueue(store, &reply, at(0));

    assert_eq!(
        thread(store, &id(98)),
        vec![],
        "the answers to an unstored message are not its thread"
    );
    assert_eq!(
        thread(store, &orphan.id),
        vec![
            get(store, &orphan.id).expect("stored"),
            get(store, &reply.id).expect("stored"),
        ],
        "a message answering an unstored one roots its own thread"
    );
    assert_eq!(thread(store, &id(99)), vec![], "an unknown id");
}

/// Stored answers can form a cycle (each names the other, or itself): a
/// thread still lists every member once, and ends.
pub fn thread_lists_each_message_once_even_in_a_cycle(store: &dyn Store) {
    let first = answer(received(1), 2, 1_000);
    let second = answer(received(2), 1, 2_000);
    let third = answer(received(3), 2, 3_000);
    let itself = answer(received(4), 4, 4_000);
    for (n, message) in [&first, &second, &third, &itself].into_iter().enumerate() {
        accept(store, message, format!("receipt {n}").as_bytes());
    }
    let cycle = vec![first.id, second.id, third.id];
    assert_eq!(thread_ids(store, &first.id), cycle, "from one end");
    assert_eq!(thread_ids(store, &second.id), cycle, "from the other");
    assert_eq!(thread_ids(store, &third.id), vec![third.id], "below it");
    assert_eq!(
        thread_ids(store, &itself.id),
        vec![itself.id],
        "a message answering itself, once"
    );
}

/// A thread follows answers [`MAX_THREAD_DEPTH`] replies deep below its
/// root, and no deeper; the bound counts from the root asked for.
pub fn thread_follows_answers_down_to_the_depth_limit(store: &dyn Store) {
    let depth = u64::from(MAX_THREAD_DEPTH);
    // A chain 0 <- 1 <- … <- depth + 1, written in one log batch.
    let chain: Vec<(NewMessage, Vec<u8>)> = (0..=depth + 1)
        .map(|n| {
            let message = NewMessage {
                in_reply_to: n.checked_sub(1).map(|parent| id(parent + 1)),
                log_index: Some(n),
                ..received(n + 1)
            };
            (message, format!("receipt {n}").into_bytes())
        })
        .collect();
    let size = depth + 2;
    let batch = LogBatch {
        old_size: 0,
        entries: (0..size).map(|n| n.to_be_bytes().to_vec()).collect(),
        new_size: size,
        checkpoint: format!("detente.RU/log/v1\n{size}\nroot=\n"),
        sent: Vec::new(),
        received: chain,
        records: Vec::new(),
    };
    store
        .commit_log_batch(&batch)
        .expect("commit_log_batch of the chain");

    let expected: Vec<MessageId> = (1..=depth + 1).map(id).collect();
    assert_eq!(
        thread_ids(store, &id(1)),
        expected,
        "the root and {depth} levels of answers, not the one below"
    );
    assert_eq!(
        thread_ids(store, &id(depth + 1)),
        vec![id(depth + 1), id(depth + 2)],
        "the depth counts from the root asked for"
    );
}
