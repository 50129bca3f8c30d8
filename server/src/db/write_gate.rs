//! The queue for SQLite's one writer, with two lanes.
//!
//! A buyer's claim is a handful of small statements and someone is waiting on it (a dialer,
//! a ping-post auction); a capture writes a dozen rows and its consumer already saw the form
//! submitted. Under a capture flood, first come first served put every claim behind every
//! queued capture. Here the writer goes to the waiting [`Lane::Interactive`] transactions
//! first, and to a [`Lane::Bulk`] one after at most [`INTERACTIVE_RUN`] interactive ones in a
//! row, so captures keep moving however busy claims are. Background work (the job queue:
//! archiving, rendering, webhooks) waits in [`Lane::Background`] and gets the writer only
//! when no claim or capture waits, so it never slows them. Each lane is first come first
//! served. The decision of who goes next is [`GateState::next`], a pure function.
//!
//! A waiter that gives up (its request was dropped) leaves the queue; if the writer had
//! just been handed to it, it passes the writer on, so the gate can never be lost.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// Which queue a writing transaction waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Claims, collects, shares and settings: small, and someone is waiting on them.
    Interactive,
    /// Captures: the many, larger writes of the open endpoint.
    Bulk,
    /// The job queue's writes: served only when nobody waits in the other lanes.
    Background,
}

/// How many interactive transactions may go in a row while a bulk one waits.
pub const INTERACTIVE_RUN: u32 = 8;

/// The gate in front of the writer connection; shared by a [`super::Db`]'s clones.
#[derive(Debug, Default)]
pub struct WriteGate {
    state: Mutex<GateState>,
}

#[derive(Debug, Default)]
struct GateState {
    held: bool,
    interactive: VecDeque<oneshot::Sender<()>>,
    bulk: VecDeque<oneshot::Sender<()>>,
    background: VecDeque<oneshot::Sender<()>>,
    /// Interactive transactions handed the writer since the last bulk one.
    run: u32,
}

impl GateState {
    /// The lane whose first waiter gets the writer next, if anyone waits.
    fn next(&self) -> Option<Lane> {
        match (self.interactive.is_empty(), self.bulk.is_empty()) {
            (true, true) if self.background.is_empty() => None,
            (true, true) => Some(Lane::Background),
            (false, true) => Some(Lane::Interactive),
            (true, false) => Some(Lane::Bulk),
            (false, false) if self.run < INTERACTIVE_RUN => Some(Lane::Interactive),
            (false, false) => Some(Lane::Bulk),
        }
    }
}

/// The right to use the writer; passes it on when dropped.
#[derive(Debug)]
pub struct GatePermit {
    gate: Arc<WriteGate>,
}

impl Drop for GatePermit {
    fn drop(&mut self) {
        self.gate.hand_over();
    }
}

impl WriteGate {
    /// Waits for the writer in `lane`.
    pub async fn enter(self: &Arc<Self>, lane: Lane) -> GatePermit {
        let receiver = {
            let mut state = self.lock();
            if !state.held {
                state.held = true;
                return GatePermit {
                    gate: Arc::clone(self),
                };
            }
            let (sender, receiver) = oneshot::channel();
            match lane {
                Lane::Interactive => state.interactive.push_back(sender),
                Lane::Bulk => state.bulk.push_back(sender),
                Lane::Background => state.background.push_back(sender),
            }
            receiver
        };
        let mut waiting = Waiting {
            receiver: Some(receiver),
            gate: Arc::clone(self),
        };
        let receiver = waiting.receiver.as_mut().expect("set just above");
        // The sender is only dropped after a successful send or with the gate itself,
        // which `waiting` keeps alive.
        let _ = receiver.await;
        waiting.receiver = None;
        GatePermit {
            gate: Arc::clone(self),
        }
    }

    /// Gives the writer to the next waiter, or frees it.
    fn hand_over(&self) {
        let mut state = self.lock();
        loop {
            let Some(lane) = state.next() else {
                state.held = false;
                return;
            };
            let sender = match lane {
                Lane::Interactive => {
                    state.run += 1;
                    state.interactive.pop_front()
                }
                Lane::Bulk => {
                    state.run = 0;
                    state.bulk.pop_front()
                }
                Lane::Background => state.background.pop_front(),
            };
            // A failed send: that waiter gave up; try the next one.
            if sender.is_some_and(|s| s.send(()).is_ok()) {
                return;
            }
        }
    }

    /// How many wait, in both lanes.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        let state = self.lock();
        state.interactive.len() + state.bulk.len() + state.background.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A waiter in the queue; if dropped after being handed the writer but before taking it,
/// it passes the writer on.
struct Waiting {
    receiver: Option<oneshot::Receiver<()>>,
    gate: Arc<WriteGate>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(mut receiver) = self.receiver.take() {
            receiver.close();
            if receiver.try_recv().is_ok() {
                self.gate.hand_over();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(interactive: usize, bulk: usize, run: u32) -> GateState {
        let senders = |n| (0..n).map(|_| oneshot::channel().0).collect();
        GateState {
            held: true,
            interactive: senders(interactive),
            bulk: senders(bulk),
            background: VecDeque::new(),
            run,
        }
    }

    #[test]
    fn background_work_goes_only_when_no_claim_or_capture_waits() {
        let with_background = |interactive, bulk, run| {
            let mut state = state(interactive, bulk, run);
            state.background.push_back(oneshot::channel().0);
            state
        };
        assert_eq!(with_background(0, 0, 0).next(), Some(Lane::Background));
        assert_eq!(with_background(1, 0, 0).next(), Some(Lane::Interactive));
        assert_eq!(with_background(0, 1, 0).next(), Some(Lane::Bulk));
        assert_eq!(
            with_background(2, 3, INTERACTIVE_RUN).next(),
            Some(Lane::Bulk)
        );
    }

    #[test]
    fn interactive_goes_first_but_bulk_gets_a_turn_after_a_run() {
        assert_eq!(state(0, 0, 0).next(), None);
        assert_eq!(state(1, 0, 0).next(), Some(Lane::Interactive));
        assert_eq!(state(0, 1, 50).next(), Some(Lane::Bulk));
        assert_eq!(state(3, 5, 0).next(), Some(Lane::Interactive));
        assert_eq!(
            state(3, 5, INTERACTIVE_RUN - 1).next(),
            Some(Lane::Interactive)
        );
        assert_eq!(state(3, 5, INTERACTIVE_RUN).next(), Some(Lane::Bulk));
        assert_eq!(state(3, 0, INTERACTIVE_RUN).next(), Some(Lane::Interactive));
    }

    /// The order in which waiters got the writer, when `lanes` queue behind a holder.
    async fn order(lanes: &[Lane]) -> Vec<usize> {
        let gate = Arc::new(WriteGate::default());
        let holder = gate.enter(Lane::Bulk).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, &lane) in lanes.iter().enumerate() {
            let (waiter_gate, waiter_order) = (Arc::clone(&gate), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let _permit = waiter_gate.enter(lane).await;
                waiter_order.lock().unwrap().push(i);
            }));
            // Queued in this order before the writer is freed.
            while gate.waiting() <= i {
                tokio::task::yield_now().await;
            }
        }
        drop(holder);
        for task in tasks {
            task.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        order
    }

    #[tokio::test]
    async fn waiters_get_the_writer_interactive_first_each_lane_in_order() {
        use Lane::{Bulk, Interactive};
        let mut lanes = vec![Bulk, Bulk];
        lanes.extend(std::iter::repeat_n(Interactive, 10));
        // Bulk 0 and 1 queued first; interactive 2..=11 after. Eight interactive, then a
        // bulk, then the last two interactive, then the other bulk.
        assert_eq!(
            order(&lanes).await,
            vec![2, 3, 4, 5, 6, 7, 8, 9, 0, 10, 11, 1]
        );
    }

    /// Spawns a task that waits for the writer in `lane` and drops it at once, and returns
    /// once the task is queued.
    async fn queued(gate: &Arc<WriteGate>, lane: Lane) -> tokio::task::JoinHandle<()> {
        let before = gate.waiting();
        let task = tokio::spawn({
            let gate = Arc::clone(gate);
            async move { drop(gate.enter(lane).await) }
        });
        while gate.waiting() == before {
            tokio::task::yield_now().await;
        }
        task
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_never_takes_the_writer_with_it() {
        let gate = Arc::new(WriteGate::default());
        let holder = gate.enter(Lane::Bulk).await;
        // A waiter gives up while queued (its request was dropped)...
        let gone = queued(&gate, Lane::Interactive).await;
        gone.abort();
        assert!(gone.await.unwrap_err().is_cancelled());
        // ...and another is handed the writer but dropped before it runs.
        let handed = queued(&gate, Lane::Interactive).await;
        let last = queued(&gate, Lane::Bulk).await;
        drop(holder);
        handed.abort();
        assert!(handed.await.unwrap_err().is_cancelled());
        last.await.expect("the last waiter got the writer");
        assert!(!gate.lock().held, "the writer is free again");
    }
}
