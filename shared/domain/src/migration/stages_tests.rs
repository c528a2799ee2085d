use jiff::{Span, civil::date};
use proptest::prelude::*;

use super::*;

fn t_minus(days: i64) -> Date {
    date(2026, 12, 15)
        .checked_sub(Span::new().days(days))
        .unwrap()
}

fn runs(days_before: i64, next: Option<Stage>) -> Option<Stage> {
    plan(
        t_minus(days_before),
        t_minus(0),
        next,
        &StageDays::default(),
    )
    .run
}

/// Runs the job once a day from `from` days before the transfer to `to` after it, starting
/// at `next`, and answers the stages run in order (the welcome follows the move on its run).
fn daily(from: i64, to: i64, mut next: Option<Stage>, days: &StageDays) -> Vec<(i64, Stage)> {
    let mut sent = Vec::new();
    for d in (-to..=from).rev() {
        // The worker plans again after each stage it ran, as the welcome follows the move.
        while let Some(stage) = plan(t_minus(d), t_minus(0), next, days).run {
            sent.push((d, stage));
            next = stage.after();
        }
    }
    sent
}

#[test]
fn a_table_of_days_and_stages() {
    use Stage as S;
    let cases = [
        (20, Some(S::Announce), None),
        (15, Some(S::Announce), None),
        (14, Some(S::Announce), Some(S::Announce)),
        (12, Some(S::Announce), Some(S::Announce)), // missed two days: sent late
        (7, Some(S::Announce), Some(S::Announce)),  // the last day worth it
        (5, Some(S::Announce), None),               // too late for it; the reminder is not yet due
        (5, Some(S::Remind), None),
        (1, Some(S::Announce), Some(S::Remind)), // announce skipped, reminder sent
        (1, Some(S::Remind), Some(S::Remind)),
        (0, Some(S::Announce), Some(S::Move)), // nothing sent: move (then welcome)
        (0, Some(S::Remind), Some(S::Move)),
        (0, Some(S::Move), Some(S::Move)),
        (0, Some(S::Welcome), Some(S::Welcome)),
        (-3, Some(S::Move), Some(S::Move)), // the job was down on the day: moved late
        (-3, Some(S::Welcome), Some(S::Welcome)),
        (-3, None, None),
        (14, Some(S::Remind), None),
        (1, Some(S::Move), None),
    ];
    for (days_before, next, want) in cases {
        assert_eq!(runs(days_before, next), want, "T-{days_before} at {next:?}");
    }
}

#[test]
fn skipped_stages_are_those_before_the_one_run() {
    let p = plan(
        t_minus(0),
        t_minus(0),
        Some(Stage::Announce),
        &StageDays::default(),
    );
    assert_eq!(p.skipped, [Stage::Announce, Stage::Remind]);
    assert_eq!(p.next_after(Some(Stage::Announce)), Some(Stage::Welcome));
    let waiting = plan(
        t_minus(5),
        t_minus(0),
        Some(Stage::Announce),
        &StageDays::default(),
    );
    assert!(waiting.skipped.is_empty() && waiting.run.is_none());
}

#[test]
fn a_wave_imported_at_t_minus_five_gets_the_reminder_and_the_welcome_only() {
    let sent = daily(5, 3, Some(Stage::Announce), &StageDays::default());
    assert_eq!(
        sent,
        [(1, Stage::Remind), (0, Stage::Move), (0, Stage::Welcome)]
    );
}

#[test]
fn a_whole_wave_runs_each_stage_once_on_its_day() {
    let sent = daily(30, 30, Some(Stage::Announce), &StageDays::default());
    assert_eq!(
        sent,
        [
            (14, Stage::Announce),
            (1, Stage::Remind),
            (0, Stage::Move),
            (0, Stage::Welcome)
        ]
    );
}

#[test]
fn the_partitions_queried_are_those_with_a_stage_to_run() {
    let days = StageDays::default();
    let at = |d| due_partitions(t_minus(d), t_minus(0), &days);
    assert!(at(20).is_empty());
    assert_eq!(at(14), [Stage::Announce]);
    assert!(at(5).is_empty());
    assert_eq!(at(1), [Stage::Announce, Stage::Remind]);
    assert_eq!(at(0).len(), 4);
}

#[test]
fn next_stages_read_as_stored() {
    assert_eq!(Stage::FIRST.as_str(), "announce");
    assert_eq!(
        serde_json::to_string(&Stage::Welcome).unwrap(),
        "\"welcome\""
    );
    assert_eq!(Stage::Remind.after(), Some(Stage::Move));
    assert_eq!(Stage::Welcome.after(), None);
    for next in Stage::ALL.map(Some).into_iter().chain([None]) {
        assert_eq!(Stage::parse_next(stored_next(next)), Some(next));
    }
    assert_eq!(stored_next(None), "done");
    assert_eq!(Stage::parse_next("Move"), None);
}

#[test]
fn stage_days_refuse_an_order_that_cannot_run() {
    assert!(StageDays::new(14, 7, 1).is_ok());
    assert!(StageDays::new(14, 14, 13).is_ok());
    assert!(StageDays::new(7, 14, 1).is_err());
    assert!(StageDays::new(14, 7, 0).is_err());
    assert!(StageDays::new(14, 1, 1).is_err());
}

fn stage_days() -> impl Strategy<Value = StageDays> {
    (1i64..10, 1i64..10, 0i64..10)
        .prop_map(|(remind, gap, extra)| StageDays::new(remind + gap + extra, remind + gap, remind))
        .prop_filter_map("ordered", Result::ok)
}

fn next_stage() -> impl Strategy<Value = Option<Stage>> {
    prop_oneof![
        Just(Some(Stage::Announce)),
        Just(Some(Stage::Remind)),
        Just(Some(Stage::Move)),
        Just(Some(Stage::Welcome)),
    ]
}

proptest! {
    /// However the days are set, wherever an account starts and from whichever day the job
    /// runs daily, every stage runs at most once, in order; the move and the welcome always run
    /// (on the transfer day when the job ran then); nothing runs before its day; and of the
    /// notices skipped, each was too late or replaced by a later stage already due.
    #[test]
    fn daily_runs_send_each_stage_at_most_once_in_order(
        days in stage_days(), start in next_stage(), from in 0i64..40,
    ) {
        let sent = daily(from, 5, start, &days);
        let stages: Vec<Stage> = sent.iter().map(|(_, s)| *s).collect();
        let mut sorted = stages.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(&stages, &sorted);
        prop_assert!(stages.contains(&Stage::Move) || start == Some(Stage::Welcome));
        prop_assert!(stages.contains(&Stage::Welcome));
        for (d, s) in &sent {
            prop_assert!(days.day_of(*s, t_minus(0)) <= t_minus(*d));
            if *s == Stage::Move { prop_assert_eq!(*d, 0.min(from)); }
        }
        // The reminder is sent when the job ran on its day and the account waited for it.
        if from >= days.remind && start <= Some(Stage::Remind) {
            prop_assert!(stages.contains(&Stage::Remind));
        }
        // The announcement when the job ran while it was worth it.
        if from >= days.announce_until && start == Some(Stage::Announce) {
            prop_assert!(stages.contains(&Stage::Announce));
        }
    }

    /// Running the plan twice on one day after it ran changes nothing: its stage is done.
    #[test]
    fn a_second_run_on_the_same_day_runs_nothing_new(
        days in stage_days(), start in next_stage(), d in -5i64..40,
    ) {
        let first = plan(t_minus(d), t_minus(0), start, &days);
        let next = first.next_after(start);
        let second = plan(t_minus(d), t_minus(0), next, &days);
        if let (Some(a), Some(b)) = (first.run, second.run) {
            prop_assert!(b > a);
            prop_assert_eq!((a, b), (Stage::Move, Stage::Welcome));
        }
    }
}
