//! When a server's daily post is due: its local time of day in its IANA time zone, through the
//! `cron` crate, with a rule for days when that local time does not exist or happens twice.

use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// The instant of `date`'s post in `tz` at local `time`. A local time that happens twice (clocks
/// turned back) is taken the first time; one that does not exist (clocks turned forward) is
/// taken at the first instant after the gap. Either way there is exactly one instant per day.
pub fn due_at(time: NaiveTime, tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let expression = format!("0 {} {} * * *", time.minute(), time.hour());
    let schedule = cron::Schedule::from_str(&expression).expect("a minute and an hour make a valid cron expression");
    // Start searching from the previous local noon, which always exists.
    let start = local_noon(tz, date - Days::new(1));
    if let Some(next) = schedule.after(&start).find(|t| t.date_naive() >= date) {
        if next.date_naive() == date {
            return next.with_timezone(&Utc);
        }
    }
    // The local time fell into a gap: walk forward a minute at a time to the first valid one.
    let mut probe = date.and_time(time);
    loop {
        probe += chrono::Duration::minutes(1);
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
    }
}

/// The first instant after `now` at which a server posting at local `time` in `tz` is due:
/// today's minute if it is still ahead, else tomorrow's.
pub fn next_due_after(time: NaiveTime, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let today = local_date(tz, now);
    let due = due_at(time, tz, today);
    if due > now {
        return due;
    }
    due_at(time, tz, today + Days::new(1))
}

fn local_noon(tz: Tz, date: NaiveDate) -> DateTime<Tz> {
    let noon = date.and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("noon"));
    tz.from_local_datetime(&noon)
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&noon))
}

/// The server's local date at `now`.
pub fn local_date(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Parses `HH:MM` (24-hour).
pub fn parse_time(input: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(input.trim(), "%H:%M")
        .map_err(|_| format!("`{}` is not a time: use HH:MM, 24-hour, e.g. 09:30", input.trim()))
}

/// Parses an IANA time zone name such as `Asia/Shanghai`.
pub fn parse_timezone(input: &str) -> Result<Tz, String> {
    input.trim().parse::<Tz>().map_err(|_| {
        format!(
            "`{}` is not an IANA time zone name: try Asia/Shanghai, Europe/Berlin or UTC",
            input.trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> NaiveTime {
        parse_time(s).unwrap()
    }

    #[test]
    fn ordinary_days_in_several_zones() {
        let shanghai = parse_timezone("Asia/Shanghai").unwrap();
        assert_eq!(
            due_at(t("09:00"), shanghai, d("2026-11-28")).to_rfc3339(),
            "2026-11-28T01:00:00+00:00"
        );
        assert_eq!(
            due_at(t("00:00"), Tz::UTC, d("2026-11-28")).to_rfc3339(),
            "2026-11-28T00:00:00+00:00"
        );
        assert_eq!(
            due_at(t("23:59"), shanghai, d("2026-01-01")).to_rfc3339(),
            "2026-01-01T15:59:00+00:00"
        );
    }

    #[test]
    fn daylight_saving_changes_give_one_instant_per_day() {
        let ny = parse_timezone("America/New_York").unwrap();
        // 2026-03-08: 02:00 jumps to 03:00; 02:30 does not exist.
        assert_eq!(
            due_at(t("02:30"), ny, d("2026-03-08")).to_rfc3339(),
            "2026-03-08T07:00:00+00:00"
        );
        // Before and after the change the offset differs, the local time does not.
        assert_eq!(
            due_at(t("09:00"), ny, d("2026-03-07")).to_rfc3339(),
            "2026-03-07T14:00:00+00:00"
        );
        assert_eq!(
            due_at(t("09:00"), ny, d("2026-03-08")).to_rfc3339(),
            "2026-03-08T13:00:00+00:00"
        );
        // 2026-11-01: 01:30 happens twice; the first counts.
        assert_eq!(
            due_at(t("01:30"), ny, d("2026-11-01")).to_rfc3339(),
            "2026-11-01T05:30:00+00:00"
        );
    }

    #[test]
    fn the_next_due_minute_is_today_s_until_it_passes_then_tomorrow_s() {
        let shanghai = parse_timezone("Asia/Shanghai").unwrap();
        let now: DateTime<Utc> = "2026-11-28T00:59:59Z".parse().unwrap();
        assert_eq!(
            next_due_after(t("09:00"), shanghai, now).to_rfc3339(),
            "2026-11-28T01:00:00+00:00"
        );
        let at_due: DateTime<Utc> = "2026-11-28T01:00:00Z".parse().unwrap();
        assert_eq!(
            next_due_after(t("09:00"), shanghai, at_due).to_rfc3339(),
            "2026-11-29T01:00:00+00:00",
            "the minute itself is not after itself"
        );
        // Across the spring-forward gap: 02:30 does not exist on 2026-03-08 in New York.
        let ny = parse_timezone("America/New_York").unwrap();
        let evening: DateTime<Utc> = "2026-03-08T03:00:00Z".parse().unwrap();
        assert_eq!(
            next_due_after(t("02:30"), ny, evening).to_rfc3339(),
            "2026-03-08T07:00:00+00:00"
        );
    }

    #[test]
    fn bad_inputs_explain_themselves() {
        assert!(parse_time("9am").unwrap_err().contains("HH:MM"));
        assert!(parse_time("24:00").is_err());
        assert!(parse_timezone("Mars/Olympus").unwrap_err().contains("IANA"));
        assert_eq!(
            local_date(
                parse_timezone("Asia/Tokyo").unwrap(),
                "2026-11-28T16:00:00Z".parse().unwrap()
            ),
            d("2026-11-29")
        );
    }
}
