//! Licenses in the shop table: the license as JSON under `SUB#<id>` with its `version` for
//! optimistic locking, listed per account through `gsi1`; and the holder marker
//! `HOLDER#<product>#<email>` that lets an email hold one license of a product.

use aws_sdk_dynamodb::{
    Client,
    types::{Delete, Put, TransactWriteItem, Update},
};
use std::time::Duration;

use jiff::{Timestamp, civil::Date};
use shop_domain::{
    DomainError, Email,
    clock::berlin_date,
    id::{AccountId, OrderId, ProductId, SubscriptionId},
    seats::Seat,
    subscription::Subscription,
};

use crate::{
    AppError,
    error::Context,
    sdk::SendBoxed,
    store::dynamo::{
        GSI1, Item, Partition, Table, Tried, delete_at, from_json, key, number_attr, put_absent,
        put_once, query_all, query_json, string_attr, text, to_json, transact_once, update_at,
    },
};

/// The holder marker's states: a trial, a license being paid for, a license held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderState {
    Trial,
    Pending,
    Held,
}

impl HolderState {
    const ALL: [HolderState; 3] = [HolderState::Trial, HolderState::Pending, HolderState::Held];

    /// The name in the marker's `state` attribute, which conditions compare.
    pub fn as_str(self) -> &'static str {
        match self {
            HolderState::Trial => "trial",
            HolderState::Pending => "pending",
            HolderState::Held => "held",
        }
    }

    /// The state a stored name stands for; an unknown one is bad stored data.
    fn stored(name: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == name)
            .ok_or_else(|| AppError::fault(format!("holder marker in unknown state {name:?}")))
    }
}

#[derive(Clone)]
pub struct SubscriptionsRepo {
    pub(crate) table: Table,
}

/// A change decided on a subscription that changed since it was read.
pub fn stale() -> AppError {
    DomainError::conflict(
        "concurrent_change",
        "The subscription was changed at the same time; look at it again and retry.",
    )
    .into()
}

pub fn sub_key(id: &SubscriptionId) -> Item {
    key(format!("SUB#{id}"), "SUB")
}

pub fn holder_key(product: &ProductId, holder: &Email) -> Item {
    key(format!("HOLDER#{product}#{holder}"), "HOLDER")
}

/// Who holds a product's license for an email, as the marker says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderMarker {
    pub subscription_id: SubscriptionId,
    pub account_id: AccountId,
    pub state: HolderState,
}

impl SubscriptionsRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    pub async fn get(&self, id: &SubscriptionId) -> Result<Option<Subscription>, AppError> {
        self.table
            .get_json(sub_key(id), "subscription", "get subscription")
            .await
    }

    pub async fn holder(
        &self,
        product: &ProductId,
        holder: &Email,
    ) -> Result<Option<HolderMarker>, AppError> {
        let found = self
            .table
            .get(holder_key(product, holder), "get holder marker")
            .await?;
        let Some(item) = found else {
            return Ok(None);
        };
        let field = |name: &str| {
            text(&item, name).ok_or_else(|| AppError::fault("holder marker incomplete"))
        };
        Ok(Some(HolderMarker {
            subscription_id: SubscriptionId::parse(field("subscription_id")?)
                .context("license of a holder marker")?,
            account_id: AccountId::parse(field("account_id")?)
                .context("account of a holder marker")?,
            state: HolderState::stored(field("state")?)?,
        }))
    }

    /// A license with all its seats, read with one query of its partition.
    pub async fn with_seats(
        &self,
        id: &SubscriptionId,
    ) -> Result<Option<(Subscription, Vec<Seat>)>, AppError> {
        let items = query_all(
            &self.table.client,
            &self.table.name,
            Partition::Table,
            format!("SUB#{id}"),
            false,
        )
        .await?;
        let mut sub = None;
        let mut seats = Vec::new();
        for item in items {
            match text(&item, "sk") {
                Some("SUB") => sub = Some(from_json::<Subscription>(&item, "subscription")?),
                Some(sk) if sk.starts_with("SEAT#") => {
                    seats.push(from_json::<Seat>(&item, "seat")?)
                }
                _ => {}
            }
        }
        seats.sort_by(|a, b| (a.starts_on, &a.id).cmp(&(b.starts_on, &b.id)));
        Ok(sub.map(|s| (s, seats)))
    }

    /// The account's licenses.
    pub async fn list(&self, owner: &AccountId) -> Result<Vec<Subscription>, AppError> {
        query_json(
            &self.table.client,
            &self.table.name,
            GSI1,
            format!("ACCOUNT#{owner}#SUBS"),
            false,
            "subscription",
        )
        .await
    }

    /// Writes a seat together with the license it belongs to, on the condition that the
    /// license is still at the version `read` had. `Ok(false)`: another change came first.
    pub async fn write_seat(
        &self,
        read: &Subscription,
        next: &Subscription,
        seat: &Seat,
    ) -> Result<bool, AppError> {
        let seat_put = self.seat_put(&read.id, seat)?;
        let items = vec![
            TransactWriteItem::builder()
                .put(self.put(next, Some(read.version))?)
                .build(),
            TransactWriteItem::builder().put(seat_put).build(),
        ];
        // Either write refused, or a collision: another change came first.
        Ok(transact_once(&self.table.client, items, "write seat").await? == Tried::Done)
    }

    /// Reads an owner's license with its seats, lets `change` decide the seat (at the time
    /// `now` gives, as a Berlin date), and writes it with the license's next version (marked
    /// activated). When another change won the race it decides again on fresh state, up to
    /// `attempts` times; another account's license is `subscription_not_found`.
    pub async fn change_seat<F>(
        &self,
        id: &SubscriptionId,
        owner: &AccountId,
        attempts: u32,
        now: impl Fn() -> Timestamp,
        change: F,
    ) -> Result<(Subscription, Seat), AppError>
    where
        F: Fn(&Subscription, &[Seat], Timestamp, Date) -> Result<Seat, DomainError>,
    {
        for attempt in 0..attempts {
            let (sub, seats) = self.owned(id, owner).await?;
            let at = now();
            let seat = change(&sub, &seats, at, berlin_date(at))?;
            let next = sub.with_seat_assigned();
            if self.write_seat(&sub, &next, &seat).await? {
                return Ok((next, seat));
            }
            // Spread the retries so racing requests do not collide again in step.
            let spread = seat.id.bytes().fold(u64::from(attempt), |a, b| {
                a.wrapping_mul(31).wrapping_add(u64::from(b))
            });
            tokio::time::sleep(Duration::from_millis(5 + spread % 45)).await;
        }
        Err(DomainError::conflict(
            "concurrent_change",
            "The license is being changed by many requests at once; try again.",
        )
        .into())
    }

    /// The licenses the renewal job must look at on `day`: one query of the `due` index.
    pub async fn due_on(&self, day: Date) -> Result<Vec<SubscriptionId>, AppError> {
        let items = query_all(
            &self.table.client,
            &self.table.name,
            Partition::Index {
                name: "due",
                key: "duepk",
            },
            format!("DUE#{day}"),
            false,
        )
        .await?;
        items
            .into_iter()
            .map(|i| {
                let id =
                    text(&i, "duesk").ok_or_else(|| AppError::fault("due entry without id"))?;
                SubscriptionId::parse(id).context("license of a due entry")
            })
            .collect()
    }

    /// Stores a change of a license decided on the version `read`; `409 concurrent_change`
    /// when another change came first (the caller decided on stale data).
    pub async fn save(&self, next: &Subscription, read: u64) -> Result<(), AppError> {
        let put = self.put(next, Some(read))?;
        if put_once(&self.table.client, put, "save subscription").await? {
            Ok(())
        } else {
            Err(stale())
        }
    }

    /// Stores a subscription that ended (expired) and frees its holder's marker in the same
    /// transaction, so the email may buy the product again; `409` on a stale version.
    pub async fn end(&self, next: &Subscription, read: u64) -> Result<(), AppError> {
        let free = delete_at(&self.table.name, holder_key(&next.product_id, &next.holder))
            .condition_expression("attribute_not_exists(pk) OR subscription_id = :sub")
            .expression_attribute_values(":sub", string_attr(next.id.as_str()))
            .build()
            .context("build the holder release")?;
        let items = vec![
            TransactWriteItem::builder()
                .put(self.put(next, Some(read))?)
                .build(),
            TransactWriteItem::builder().delete(free).build(),
        ];
        match transact_once(&self.table.client, items, "end subscription").await? {
            Tried::Done => Ok(()),
            Tried::Refused(_) | Tried::Collided => Err(stale()),
        }
    }

    /// An owner's license with its seats; another account's is as unknown as a missing one.
    pub async fn owned(
        &self,
        id: &SubscriptionId,
        owner: &AccountId,
    ) -> Result<(Subscription, Vec<Seat>), AppError> {
        self.with_seats(id)
            .await?
            .filter(|(sub, _)| &sub.account_id == owner)
            .ok_or_else(|| {
                DomainError::not_found("subscription_not_found", "No such license.").into()
            })
    }

    /// Every seat an email was given, with its license id.
    pub async fn seats_of(&self, email: &Email) -> Result<Vec<(SubscriptionId, Seat)>, AppError> {
        let items = query_all(
            &self.table.client,
            &self.table.name,
            Partition::Index {
                name: "gsi2",
                key: "gsi2pk",
            },
            format!("SEATHOLDER#{email}"),
            false,
        )
        .await?;
        items
            .into_iter()
            .map(|i| {
                let sub = text(&i, "subscription_id")
                    .ok_or_else(|| AppError::fault("seat without license"))?;
                Ok((
                    SubscriptionId::parse(sub).context("license of a seat")?,
                    from_json(&i, "seat")?,
                ))
            })
            .collect()
    }

    /// Writes a seat of license `id` (in the license's partition, listed by its email).
    pub fn seat_put(&self, id: &SubscriptionId, seat: &Seat) -> Result<Put, AppError> {
        let mut item = key(format!("SUB#{id}"), &format!("SEAT#{}", seat.id));
        item.insert("seat".into(), to_json(seat)?);
        item.insert("subscription_id".into(), string_attr(id.as_str()));
        item.insert(
            "gsi2pk".into(),
            string_attr(format!("SEATHOLDER#{}", seat.email)),
        );
        item.insert("gsi2sk".into(), string_attr(format!("{id}#{}", seat.id)));
        self.table
            .put_row(item)
            .build()
            .context("build the seat put")
    }

    /// The holder marker of a license that joins the shop already paid (moved from the old
    /// shop): held at once, refused when the email holds the product already.
    pub fn hold(&self, sub: &Subscription) -> Result<Put, AppError> {
        let mut item = holder_key(&sub.product_id, &sub.holder);
        item.insert("subscription_id".into(), string_attr(sub.id.as_str()));
        item.insert("account_id".into(), string_attr(sub.account_id.as_str()));
        item.insert("state".into(), string_attr(HolderState::Held.as_str()));
        put_absent(&self.table.name, item, "build the holder marker")
    }

    /// Writes `sub`; `expected` is the version read (None for a new license).
    pub fn put(&self, sub: &Subscription, expected: Option<u64>) -> Result<Put, AppError> {
        let mut item = sub_key(&sub.id);
        item.insert("subscription".into(), to_json(sub)?);
        item.insert("version".into(), number_attr(sub.version));
        item.insert("account_id".into(), string_attr(sub.account_id.as_str()));
        item.insert(
            "gsi1pk".into(),
            string_attr(format!("ACCOUNT#{}#SUBS", sub.account_id)),
        );
        item.insert("gsi1sk".into(), string_attr(sub.id.as_str()));
        if let Some(due) = sub.due_on {
            item.insert("duepk".into(), string_attr(format!("DUE#{due}")));
            item.insert("duesk".into(), string_attr(sub.id.as_str()));
        }
        let put = self.table.put_row(item);
        let put = match expected {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(v) => put
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", number_attr(v)),
        };
        put.build().context("build the license put")
    }

    /// Claims the holder marker for a new license bought by `order`.
    pub fn claim_holder(&self, sub: &Subscription, order: &OrderId) -> Result<Put, AppError> {
        let mut item = holder_key(&sub.product_id, &sub.holder);
        item.insert("subscription_id".into(), string_attr(sub.id.as_str()));
        item.insert("account_id".into(), string_attr(sub.account_id.as_str()));
        item.insert("state".into(), string_attr(HolderState::Pending.as_str()));
        item.insert("order_id".into(), string_attr(order.as_str()));
        put_absent(&self.table.name, item, "build the holder claim")
    }

    /// Moves a holder marker from `from` to `to` for `order`, on the condition that it still
    /// points at `sub` in state `from`.
    pub fn move_holder(
        &self,
        sub: &Subscription,
        from: HolderState,
        to: HolderState,
        order: &OrderId,
    ) -> Result<Update, AppError> {
        update_at(&self.table.name, holder_key(&sub.product_id, &sub.holder))
            .update_expression("SET #state = :to, order_id = :order")
            .condition_expression("#state = :from AND subscription_id = :sub")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":to", string_attr(to.as_str()))
            .expression_attribute_values(":from", string_attr(from.as_str()))
            .expression_attribute_values(":order", string_attr(order.as_str()))
            .expression_attribute_values(":sub", string_attr(sub.id.as_str()))
            .build()
            .context("build the holder move")
    }

    /// Frees a holder marker `order` had claimed.
    pub fn release_holder(&self, sub: &Subscription, order: &OrderId) -> Result<Delete, AppError> {
        delete_at(&self.table.name, holder_key(&sub.product_id, &sub.holder))
            .condition_expression("order_id = :order AND subscription_id = :sub")
            .expression_attribute_values(":order", string_attr(order.as_str()))
            .expression_attribute_values(":sub", string_attr(sub.id.as_str()))
            .build()
            .context("build the holder release")
    }

    /// Writes a trial license and its marker (operator tool); refused when the email holds
    /// the product already.
    pub async fn grant_trial(&self, sub: &Subscription) -> Result<(), AppError> {
        let mut marker = holder_key(&sub.product_id, &sub.holder);
        marker.insert("subscription_id".into(), string_attr(sub.id.as_str()));
        marker.insert("account_id".into(), string_attr(sub.account_id.as_str()));
        marker.insert("state".into(), string_attr(HolderState::Trial.as_str()));
        let marker = put_absent(&self.table.name, marker, "build the trial marker put")?;
        self.table
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(marker).build())
            .transact_items(
                TransactWriteItem::builder()
                    .put(self.put(sub, None)?)
                    .build(),
            )
            .send_boxed()
            .await
            .map_err(|e| AppError::sdk("grant trial", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_states_keep_their_stored_names_and_unknown_ones_are_faults() {
        let names: Vec<_> = HolderState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["trial", "pending", "held"]);
        for state in HolderState::ALL {
            assert_eq!(HolderState::stored(state.as_str()).unwrap(), state);
        }
        for bad in ["Held", "", "void"] {
            assert!(matches!(
                HolderState::stored(bad),
                Err(AppError::Internal { .. })
            ));
        }
    }
}
