//! The newsletter's store: signing up and confirming, the per-address mail limit, leaving
//! a list skipping what was queued, a send started once by many servers at once, claims
//! that never overlap under many workers, leases that run out (a claimed item requeued, a
//! handed-over one uncertain and never resent), and a bounce marking the reader. Each on
//! SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::{EmailAddress, ListId};
use masthead_store::{
    Actor, Confirmed, ItemOutcome, ListKind, SendContent, SendState, Signup, Store,
    SubscriberStatus,
};
use masthead_testkit::{db_tests, t0};
use std::collections::HashSet;

db_tests!(
    signing_up_confirming_and_leaving,
    one_address_gets_few_mails,
    a_send_starts_once_and_each_item_is_claimed_once,
    run_out_leases_requeue_or_become_uncertain,
);

fn addr(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

async fn list(store: &Store, slug: &str) -> ListId {
    let lists = store.newsletter_lists().await.unwrap();
    lists.iter().find(|l| l.slug == slug).unwrap().id
}

/// `n` confirmed readers of `list`.
async fn readers(store: &Store, list: ListId, n: usize) {
    let rows: Vec<_> = (0..n)
        .map(|i| masthead_store::ImportedReader {
            email: addr(&format!("reader{i}@example.org")),
            name: format!("Reader {i}"),
            confirmed: true,
        })
        .collect();
    let counts = store
        .import_subscribers(&rows, &[list], &Actor::system("test"), t0())
        .await
        .unwrap();
    assert_eq!(counts.added, n as u64);
}

async fn scheduled_send(store: &Store, list: ListId) -> masthead_core::SendId {
    let content = SendContent {
        subject: "Today".into(),
        ..Default::default()
    };
    let actor = Actor::system("test");
    let id = store
        .create_send(list, ListKind::Digest, &content, &actor, t0())
        .await
        .unwrap();
    assert!(
        store
            .move_send(
                id,
                &[SendState::Draft],
                SendState::Scheduled,
                Some(t0()),
                &actor,
                t0()
            )
            .await
            .unwrap()
    );
    id
}

async fn signing_up_confirming_and_leaving(store: Store) {
    let daily = list(&store, "daily").await;
    let breaking = list(&store, "breaking").await;
    let Signup::Confirm(id) = store
        .sign_up(&addr("Ann@Example.org"), "Ann", &[daily, breaking], t0())
        .await
        .unwrap()
    else {
        panic!("a new address is sent a confirmation");
    };
    let ann = store.subscriber(id).await.unwrap().unwrap();
    assert_eq!(ann.status, SubscriberStatus::Pending);
    assert_eq!(ann.lists.len(), 2);
    // Pending readers count for no list.
    assert!(
        store
            .newsletter_lists()
            .await
            .unwrap()
            .iter()
            .all(|l| l.readers == 0)
    );
    assert_eq!(
        store.confirm_subscriber(id, 1, t0()).await.unwrap(),
        Confirmed::Gone
    );
    assert_eq!(
        store.confirm_subscriber(id, 0, t0()).await.unwrap(),
        Confirmed::Now
    );
    assert_eq!(
        store.confirm_subscriber(id, 0, t0()).await.unwrap(),
        Confirmed::Already
    );
    // Signing up again from the form changes nothing, and sends a preferences link.
    let later = t0() + Duration::hours(1);
    assert_eq!(
        store
            .sign_up(&addr("ann@example.org"), "", &[], later)
            .await
            .unwrap(),
        Signup::Manage(id)
    );
    assert_eq!(store.subscriber(id).await.unwrap().unwrap().lists.len(), 2);

    // Leaving the daily list while a daily send is queued skips her item at once.
    let send = scheduled_send(&store, daily).await;
    assert_eq!(store.start_due_send(t0()).await.unwrap(), Some(send));
    assert_eq!(store.send_counts(send).await.unwrap().waiting, 1);
    assert!(store.unsubscribe(id, Some(daily), t0()).await.unwrap());
    let counts = store.send_counts(send).await.unwrap();
    assert_eq!((counts.waiting, counts.skipped), (0, 1));
    assert_eq!(
        store.subscriber(id).await.unwrap().unwrap().status,
        SubscriberStatus::Confirmed
    );
    assert!(store.unsubscribe(id, None, t0()).await.unwrap());
    assert_eq!(
        store.subscriber(id).await.unwrap().unwrap().status,
        SubscriberStatus::Unsubscribed
    );
    let found = store.find_subscribers("ANN@", None, None).await.unwrap();
    assert_eq!(found.len(), 1);
    assert!(
        store
            .find_subscribers("100%", None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .erase_subscriber(id, &Actor::system("test"), t0())
            .await
            .unwrap()
    );
    assert!(store.subscriber(id).await.unwrap().is_none());
}

async fn one_address_gets_few_mails(store: Store) {
    let daily = list(&store, "daily").await;
    let a = addr("flood@example.org");
    assert!(matches!(
        store.sign_up(&a, "", &[daily], t0()).await.unwrap(),
        Signup::Confirm(_)
    ));
    assert_eq!(
        store
            .sign_up(&a, "", &[daily], t0() + Duration::minutes(1))
            .await
            .unwrap(),
        Signup::Throttled
    );
    let mut sent = 1;
    for hour in 1..24 {
        if let Signup::Confirm(_) = store
            .sign_up(&a, "", &[daily], t0() + Duration::hours(hour))
            .await
            .unwrap()
        {
            sent += 1;
        }
    }
    assert_eq!(sent, masthead_store::MAILS_PER_DAY);
}

async fn a_send_starts_once_and_each_item_is_claimed_once(store: Store) {
    let daily = list(&store, "daily").await;
    readers(&store, daily, 300).await;
    let send = scheduled_send(&store, daily).await;
    // Eight servers look for due sends at once: one starts it.
    let starts: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.start_due_send(t0()).await.unwrap() })
        })
        .collect();
    let mut started = Vec::new();
    for s in starts {
        started.extend(s.await.unwrap());
    }
    assert_eq!(started, [send]);
    assert_eq!(store.send_counts(send).await.unwrap().waiting, 300);
    // Eight workers claim at once until nothing is left: no item twice, none missed.
    let lease = t0() + Duration::minutes(10);
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let items = store
                        .claim_send_items(send, &format!("w{w}"), 20, lease, t0())
                        .await
                        .unwrap();
                    if items.is_empty() {
                        return mine;
                    }
                    for item in items {
                        assert!(
                            store
                                .item_sending(item.id, &format!("w{w}"), t0())
                                .await
                                .unwrap()
                        );
                        let sent = ItemOutcome::Sent("250 OK".into());
                        store
                            .settle_item(item.id, &format!("w{w}"), &sent, t0())
                            .await
                            .unwrap();
                        mine.push(item.id);
                    }
                }
            })
        })
        .collect();
    let mut all: Vec<i64> = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    assert_eq!(all.len(), 300);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 300);
    assert_eq!(store.finish_sends(t0()).await.unwrap(), [send]);
    let done = store.send(send).await.unwrap().unwrap();
    assert_eq!((done.state, done.counts.sent), (SendState::Done, 300));
}

async fn run_out_leases_requeue_or_become_uncertain(store: Store) {
    let daily = list(&store, "daily").await;
    readers(&store, daily, 3).await;
    let send = scheduled_send(&store, daily).await;
    store.start_due_send(t0()).await.unwrap();
    let lease = t0() + Duration::minutes(10);
    let items = store
        .claim_send_items(send, "dead", 3, lease, t0())
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
    // The dead worker had handed one over; a bounce settles another.
    assert!(store.item_sending(items[0].id, "dead", t0()).await.unwrap());
    assert!(store.item_sending(items[1].id, "dead", t0()).await.unwrap());
    let bounce = ItemOutcome::Bounced("550 5.1.1 no such user".into());
    store
        .settle_item(items[1].id, "dead", &bounce, t0())
        .await
        .unwrap();
    let bounced = store.subscriber(items[1].reader).await.unwrap().unwrap();
    assert_eq!(bounced.status, SubscriberStatus::Bounced);
    // Before the leases run out nothing moves; after, one requeued and one uncertain.
    assert_eq!(store.sweep_leases(Some(t0())).await.unwrap(), (0, 0));
    assert_eq!(
        store
            .sweep_leases(Some(lease + Duration::seconds(1)))
            .await
            .unwrap(),
        (1, 1)
    );
    let again = store
        .claim_send_items(send, "new", 10, lease, t0())
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|i| i.id).collect::<Vec<_>>(),
        [items[2].id]
    );
    let c = store.send_counts(send).await.unwrap();
    assert_eq!((c.waiting, c.uncertain, c.bounced), (1, 1, 1));
    // The dead worker's late answer for the uncertain item still counts as sent.
    let sent = ItemOutcome::Sent("250 OK".into());
    store
        .settle_item(items[0].id, "dead", &sent, t0())
        .await
        .unwrap();
    assert_eq!(store.send_counts(send).await.unwrap().sent, 1);
    assert!(store.take_smtp_budget(1, 2, 3).await.unwrap());
    assert!(!store.take_smtp_budget(1, 2, 3).await.unwrap());
    assert!(store.take_smtp_budget(2, 2, 3).await.unwrap());
}
