//! What an officer may list: the one place a listing of messages is
//! narrowed to the officer's tiers, for the officer API, the console,
//! statistics and evidence.

use std::sync::Arc;

use detente_proto::ids::{MessageId, PartyCode};
use detente_store::{DocumentRecord, Draft, DraftState, MessageQuery, Store, StoredMessage};

use crate::api::views::MessageView;
use crate::error::{NodeError, NodeResult, message_not_found};
use crate::node::Node;
use crate::officers::Officer;
use crate::responsiveness::DeadlineView;

impl Node {
    /// The stored messages `officer` may see, as `query` asks: whatever
    /// tiers the query names, only those sent from or addressed to the
    /// officer's.
    pub(crate) async fn visible_messages(
        &self,
        officer: &Officer,
        query: MessageQuery,
    ) -> NodeResult<Vec<StoredMessage>> {
        let query = MessageQuery {
            tiers: officer.tiers.clone(),
            ..query
        };
        let mut messages = self.with_store(move |s| Ok(s.messages(&query)?)).await?;
        messages.retain(|m| officer.may_see(m));
        Ok(messages)
    }

    /// Message `id`, if `officer` may see it; else not found (whether it
    /// exists is not said).
    pub(crate) async fn visible_message(
        &self,
        officer: &Officer,
        id: MessageId,
    ) -> NodeResult<StoredMessage> {
        self.with_store(move |s| Ok(s.message(&id)?))
            .await?
            .filter(|m| officer.may_see(m))
            .ok_or_else(|| message_not_found(&id))
    }

    /// [`Node::visible_messages`], as the officer API and the console show them.
    pub(crate) async fn visible_message_views(
        self: &Arc<Self>,
        officer: &Officer,
        query: MessageQuery,
    ) -> NodeResult<Vec<MessageView>> {
        let stored = self.visible_messages(officer, query).await?;
        self.off_runtime(move |node| stored.iter().map(|m| MessageView::of(node, m)).collect())
            .await
    }

    /// [`Node::visible_message_views`], each with its deadlines and how
    /// they stand ([`Node::deadline_views`]).
    pub(crate) async fn visible_message_overviews(
        self: &Arc<Self>,
        officer: &Officer,
        query: MessageQuery,
    ) -> NodeResult<Vec<(MessageView, Vec<DeadlineView>)>> {
        let stored = self.visible_messages(officer, query).await?;
        self.overviews_of(stored).await
    }

    /// `stored`, as the officer API and the console show each message,
    /// with its deadlines and how they stand.
    pub(crate) async fn overviews_of(
        self: &Arc<Self>,
        stored: Vec<StoredMessage>,
    ) -> NodeResult<Vec<(MessageView, Vec<DeadlineView>)>> {
        self.off_runtime(move |node| {
            stored
                .iter()
                .map(|m| Ok((MessageView::of(node, m), node.deadline_views(m)?)))
                .collect::<NodeResult<Vec<_>>>()
        })
        .await?
    }

    /// Whether `officer` may see a guarantee or pledge with these
    /// `records`: at least one message this node holds that carried one of
    /// its steps is of a tier they are cleared for (like any message), or
    /// this node holds none (a pledge it published that nobody has signed
    /// yet, or one it only read from its host's registry, which every peer
    /// may read).
    pub(crate) async fn may_see_document(
        &self,
        officer: &Officer,
        records: &[DocumentRecord],
    ) -> NodeResult<bool> {
        let ids: Vec<_> = records.iter().filter_map(|r| r.message_id).collect();
        if ids.is_empty() {
            return Ok(true);
        }
        let messages = self
            .with_store(move |s| {
                ids.iter()
                    .map(|id| Ok(s.message(id)?))
                    .collect::<NodeResult<Vec<_>>>()
            })
            .await?;
        let held: Vec<_> = messages.into_iter().flatten().collect();
        Ok(held.is_empty() || held.iter().any(|m| officer.may_see(m)))
    }

    /// The drafts `officer` may see (see [`may_see_draft`]), newest first.
    pub(crate) async fn visible_drafts(
        &self,
        officer: &Officer,
        state: Option<DraftState>,
        counterparty: Option<PartyCode>,
        limit: usize,
    ) -> NodeResult<Vec<Draft>> {
        let officer = officer.clone();
        self.with_store(move |s| {
            let mut visible = Vec::new();
            for draft in s.drafts(state, counterparty.as_ref(), limit)? {
                if may_see_draft(s, &officer, &draft)? {
                    visible.push(draft);
                }
            }
            Ok(visible)
        })
        .await
    }

    /// Draft `id`, if `officer` may see it; else not found.
    pub(crate) async fn visible_draft(&self, officer: &Officer, id: &str) -> NodeResult<Draft> {
        let draft = self.draft(id).await?;
        let (check, officer) = (draft.clone(), officer.clone());
        if self
            .with_store(move |s| may_see_draft(s, &officer, &check))
            .await?
        {
            Ok(draft)
        } else {
            Err(NodeError::NotFound {
                what: "draft",
                id: id.to_owned(),
            })
        }
    }
}

/// Whether `officer` may see `draft`: any open or discarded one (what the
/// SOC offers, for whoever is on duty to review); a sent one only if they
/// may see the message it became, as for any message.
fn may_see_draft(store: &dyn Store, officer: &Officer, draft: &Draft) -> NodeResult<bool> {
    match (&draft.state, &draft.message_id) {
        (DraftState::Sent, Some(id)) => Ok(store
            .message(id)?
            .is_some_and(|message| officer.may_see(&message))),
        _ => Ok(true),
    }
}
