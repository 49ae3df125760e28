//! What an officer may list: the one place a listing of messages is
//! narrowed to the officer's tiers, for the officer API, the console,
//! statistics and evidence.

use std::sync::Arc;

use detente_proto::ids::MessageId;
use detente_store::{MessageQuery, StoredMessage};

use crate::api::views::MessageView;
use crate::error::{NodeResult, message_not_found};
use crate::node::Node;
use crate::officers::Officer;

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
}
