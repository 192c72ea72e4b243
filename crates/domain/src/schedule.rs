//! When a server's daily post is due: its local time of day in its IANA time zone, through the
//! `cron` crate, with a rule for days when that local time does not exist or happens twice; on
//! which weekdays it posts (its rhythm); and which local week a weekly recap covers.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
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

/// The weekdays a server posts on: a non-empty set, every day unless moderators chose fewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Weekdays(u8);

impl Default for Weekdays {
    fn default() -> Self {
        Weekdays::EVERY_DAY
    }
}

impl Weekdays {
    pub const EVERY_DAY: Weekdays = Weekdays(0x7f);

    /// The set from its stored bits (bit 0 Monday ... bit 6 Sunday); None when empty or out of range.
    pub fn from_bits(bits: i64) -> Option<Weekdays> {
        (1..=0x7f).contains(&bits).then_some(Weekdays(bits as u8))
    }

    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    pub fn of(days: impl IntoIterator<Item = Weekday>) -> Option<Weekdays> {
        let bits = days
            .into_iter()
            .fold(0u8, |bits, day| bits | 1 << day.num_days_from_monday());
        Weekdays::from_bits(i64::from(bits))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn is_every_day(self) -> bool {
        self == Weekdays::EVERY_DAY
    }

    /// The days in the set, Monday first.
    pub fn days(self) -> impl Iterator<Item = Weekday> {
        WEEK.into_iter().filter(move |d| self.contains(*d))
    }

    /// The days as runs of consecutive weekdays, Monday first: `mon-fri` is one run (Mon, Fri),
    /// `mon,wed` two runs of one day each. For showing the set compactly.
    pub fn runs(self) -> Vec<(Weekday, Weekday)> {
        let mut runs: Vec<(Weekday, Weekday)> = Vec::new();
        for day in self.days() {
            match runs.last_mut() {
                Some((_, last)) if last.succ() == day && day != Weekday::Mon => *last = day,
                _ => runs.push((day, day)),
            }
        }
        runs
    }
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// What joins the first and last day of a range.
const RANGE: [char; 6] = ['-', '–', '~', '～', '至', '到'];

/// Why a list of days was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaysError {
    /// Nothing but separators.
    Empty,
    /// A word that names no weekday (as written).
    Unknown(String),
}

/// One weekday by name: English (`mon`, `monday`, `tues`, ...) or Chinese (`周一`, `星期一`,
/// `礼拜一`, `周日`/`周天`, ...), any case.
pub fn parse_weekday(input: &str) -> Option<Weekday> {
    let word = input.trim().to_lowercase();
    let english = match word.as_str() {
        "mon" | "monday" => Some(Weekday::Mon),
        "tue" | "tues" | "tuesday" => Some(Weekday::Tue),
        "wed" | "weds" | "wednesday" => Some(Weekday::Wed),
        "thu" | "thur" | "thurs" | "thursday" => Some(Weekday::Thu),
        "fri" | "friday" => Some(Weekday::Fri),
        "sat" | "saturday" => Some(Weekday::Sat),
        "sun" | "sunday" => Some(Weekday::Sun),
        _ => None,
    };
    english.or_else(|| {
        let number = ["星期", "礼拜", "周"]
            .iter()
            .find_map(|prefix| word.strip_prefix(prefix))?;
        match number {
            "一" | "1" => Some(Weekday::Mon),
            "二" | "2" => Some(Weekday::Tue),
            "三" | "3" => Some(Weekday::Wed),
            "四" | "4" => Some(Weekday::Thu),
            "五" | "5" => Some(Weekday::Fri),
            "六" | "6" => Some(Weekday::Sat),
            "日" | "天" | "7" => Some(Weekday::Sun),
            _ => None,
        }
    })
}

/// Parses a list of weekdays: names and ranges separated by commas (`,` `，` `、`) or spaces,
/// e.g. `mon-fri`, `mon,wed,fri`, `fri-mon` (a range may wrap past Sunday), `周一至周五`,
/// `周一、周三、周五`; or one word for a common set: `daily`, `weekdays`, `weekends`, `每天`,
/// `工作日`, `周末`.
pub fn parse_days(input: &str) -> Result<Weekdays, DaysError> {
    let whole = input.trim().to_lowercase();
    match whole.as_str() {
        "daily" | "every day" | "everyday" | "all" | "每天" | "每日" | "天天" => return Ok(Weekdays::EVERY_DAY),
        "weekdays" | "workdays" | "工作日" => return Ok(Weekdays(0x1f)),
        "weekends" | "weekend" | "周末" => return Ok(Weekdays(0x60)),
        _ => {}
    }
    // `sat - sun` is one range: spaces around a range's dash are dropped before splitting.
    let is_range = |c: char| RANGE.contains(&c);
    let chars: Vec<char> = whole.chars().collect();
    let mut joined = String::with_capacity(whole.len());
    for (i, &c) in chars.iter().enumerate() {
        let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
        let previous = chars[..i].iter().rev().find(|c| !c.is_whitespace());
        if c.is_whitespace() && (next.is_some_and(|&n| is_range(n)) || previous.is_some_and(|&p| is_range(p))) {
            continue;
        }
        joined.push(c);
    }
    let mut days = Vec::new();
    let tokens = joined
        .split(|c: char| c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c.is_whitespace())
        .filter(|t| !t.is_empty());
    for token in tokens {
        let range = token.split_once(RANGE).map(|(a, b)| (a.trim(), b.trim()));
        match range {
            Some((from, to)) => {
                let (Some(from), Some(to)) = (parse_weekday(from), parse_weekday(to)) else {
                    return Err(DaysError::Unknown(token.to_string()));
                };
                let mut day = from;
                days.push(day);
                while day != to {
                    day = day.succ();
                    days.push(day);
                }
            }
            None => days.push(parse_weekday(token).ok_or_else(|| DaysError::Unknown(token.to_string()))?),
        }
    }
    Weekdays::of(days).ok_or(DaysError::Empty)
}

/// `/digest setup recap:`: a weekday turns the weekly recap on for that day (`Some(Some(day))`),
/// `off` (`none`, `no`, `关闭`, `关`, `不要`) turns it off (`Some(None)`); anything else is None.
pub fn parse_recap_day(input: &str) -> Option<Option<Weekday>> {
    match input.trim().to_lowercase().as_str() {
        "off" | "none" | "no" | "false" | "stop" | "关闭" | "关" | "不要" | "停止" => Some(None),
        word => parse_weekday(word).map(Some),
    }
}

/// The first instant after `now` at which a server posting at local `time` in `tz` on `days`
/// is due. Days off are passed over: they are neither due nor missed.
pub fn next_due_on(time: NaiveTime, tz: Tz, days: Weekdays, now: DateTime<Utc>) -> DateTime<Utc> {
    let mut date = local_date(tz, now);
    loop {
        if days.contains(date.weekday()) {
            let due = due_at(time, tz, date);
            if due > now {
                return due;
            }
        }
        date = date + Days::new(1);
    }
}

/// The due instants of the first `count` post days on or after local `from`.
pub fn post_days_from(time: NaiveTime, tz: Tz, days: Weekdays, from: NaiveDate, count: usize) -> Vec<DateTime<Utc>> {
    from.iter_days()
        .filter(|d| days.contains(d.weekday()))
        .take(count)
        .map(|d| due_at(time, tz, d))
        .collect()
}

/// The local week a weekly recap posted on local `date` covers: the seven days before it, so
/// that consecutive recaps cover each day exactly once. `key` names the recap's ISO week, the
/// one recap a server gets per week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecapWeek {
    pub date: NaiveDate,
    /// The first and last local dates covered (inclusive).
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub key: String,
    pub due: DateTime<Utc>,
}

impl RecapWeek {
    pub fn of(date: NaiveDate, time: NaiveTime, tz: Tz) -> RecapWeek {
        let week = date.iso_week();
        RecapWeek {
            date,
            first: date - Days::new(7),
            last: date - Days::new(1),
            key: format!("{}-W{:02}", week.year(), week.week()),
            due: due_at(time, tz, date),
        }
    }

    pub fn covers(&self, date: NaiveDate) -> bool {
        (self.first..=self.last).contains(&date)
    }
}

/// The recap due at `now` for a server recapping on `day` at local `time` in `tz`: today's,
/// when today is that weekday and its time has come; None otherwise.
pub fn recap_due(day: Weekday, time: NaiveTime, tz: Tz, now: DateTime<Utc>) -> Option<RecapWeek> {
    let today = local_date(tz, now);
    let week = RecapWeek::of(today, time, tz);
    (today.weekday() == day && now >= week.due).then_some(week)
}

/// When the next recap is due after `now`.
pub fn next_recap_after(day: Weekday, time: NaiveTime, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    next_due_on(time, tz, Weekdays::of([day]).expect("one day"), now)
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

    fn days(s: &str) -> Vec<Weekday> {
        parse_days(s).unwrap().days().collect()
    }

    #[test]
    fn day_lists_parse_in_english_and_chinese() {
        use Weekday::*;
        assert_eq!(days("mon-fri"), [Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(days("mon,wed,fri"), [Mon, Wed, Fri]);
        assert_eq!(days(" Mon, Wed ,FRI "), [Mon, Wed, Fri]);
        assert_eq!(days("monday tuesday"), [Mon, Tue]);
        assert_eq!(days("daily"), [Mon, Tue, Wed, Thu, Fri, Sat, Sun]);
        assert_eq!(days("weekends"), [Sat, Sun]);
        assert_eq!(days("fri-mon"), [Mon, Fri, Sat, Sun], "a range may wrap past Sunday");
        assert_eq!(days("sat - sun"), [Sat, Sun]);
        assert_eq!(days("周一至周五"), [Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(days("周一、周三、周五"), [Mon, Wed, Fri]);
        assert_eq!(days("星期二，礼拜四"), [Tue, Thu]);
        assert_eq!(days("周六到周日"), [Sat, Sun]);
        assert_eq!(days("周天"), [Sun]);
        assert_eq!(days("工作日"), [Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(days("每天"), days("mon-sun"));
        assert_eq!(days("mon,mon"), [Mon], "a day named twice is one day");
    }

    #[test]
    fn a_recap_day_is_one_weekday_or_off() {
        assert_eq!(parse_recap_day("Sun"), Some(Some(Weekday::Sun)));
        assert_eq!(parse_recap_day("周五"), Some(Some(Weekday::Fri)));
        assert_eq!(parse_recap_day(" off "), Some(None));
        assert_eq!(parse_recap_day("关闭"), Some(None));
        assert_eq!(parse_recap_day("mon-fri"), None, "one day, not a list");
        assert_eq!(parse_recap_day("someday"), None);
    }

    #[test]
    fn bad_day_lists_name_the_word_at_fault() {
        assert_eq!(parse_days("mon,funday"), Err(DaysError::Unknown("funday".into())));
        assert_eq!(parse_days("mon-xyz"), Err(DaysError::Unknown("mon-xyz".into())));
        assert_eq!(parse_days("周八"), Err(DaysError::Unknown("周八".into())));
        assert_eq!(parse_days(" , ，"), Err(DaysError::Empty));
        assert_eq!(parse_days(""), Err(DaysError::Empty));
    }

    #[test]
    fn weekday_sets_keep_their_bits_and_runs() {
        use Weekday::*;
        let weekdays = parse_days("mon-fri").unwrap();
        assert_eq!(weekdays.bits(), 0x1f);
        assert_eq!(Weekdays::from_bits(0x1f), Some(weekdays));
        assert_eq!(Weekdays::from_bits(0), None, "never empty");
        assert_eq!(Weekdays::from_bits(0x80), None);
        assert_eq!(weekdays.runs(), [(Mon, Fri)]);
        assert_eq!(
            parse_days("mon,wed,thu,sun").unwrap().runs(),
            [(Mon, Mon), (Wed, Thu), (Sun, Sun)]
        );
        assert!(Weekdays::default().is_every_day());
    }

    #[test]
    fn weekday_schedules_skip_days_off_across_daylight_saving() {
        let ny = parse_timezone("America/New_York").unwrap();
        let weekdays = parse_days("mon-fri").unwrap();
        // Friday 2026-03-06 after its 09:00 post: the next is Monday 2026-03-09, after the
        // spring-forward of Sunday 03-08, so 09:00 is 13:00 UTC instead of 14:00.
        let friday_evening: DateTime<Utc> = "2026-03-06T22:00:00Z".parse().unwrap();
        assert_eq!(
            next_due_on(t("09:00"), ny, weekdays, friday_evening).to_rfc3339(),
            "2026-03-09T13:00:00+00:00"
        );
        let three = post_days_from(t("09:00"), ny, weekdays, d("2026-03-06"), 3);
        let three: Vec<String> = three.iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(
            three,
            [
                "2026-03-06T14:00:00+00:00",
                "2026-03-09T13:00:00+00:00",
                "2026-03-10T13:00:00+00:00"
            ]
        );
        // Berlin falls back on Sunday 2026-10-25: Saturday's 08:00 is 06:00 UTC, the next
        // Saturday's 07:00 UTC; Mondays and Wednesdays only in between.
        let berlin = parse_timezone("Europe/Berlin").unwrap();
        let sat_mon_wed = parse_days("sat,mon,wed").unwrap();
        let from = post_days_from(t("08:00"), berlin, sat_mon_wed, d("2026-10-24"), 4);
        let from: Vec<String> = from.iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(
            from,
            [
                "2026-10-24T06:00:00+00:00",
                "2026-10-26T07:00:00+00:00",
                "2026-10-28T07:00:00+00:00",
                "2026-10-31T07:00:00+00:00"
            ]
        );
        // A Sunday-only server at 02:30 in New York: the spring-forward Sunday has no 02:30,
        // its post is at 03:00 local, and it is still that Sunday's.
        let sundays = parse_days("sun").unwrap();
        let saturday: DateTime<Utc> = "2026-03-07T12:00:00Z".parse().unwrap();
        assert_eq!(
            next_due_on(t("02:30"), ny, sundays, saturday).to_rfc3339(),
            "2026-03-08T07:00:00+00:00"
        );
        // Every day is the old daily schedule.
        let now: DateTime<Utc> = "2026-11-28T00:59:59Z".parse().unwrap();
        let shanghai = parse_timezone("Asia/Shanghai").unwrap();
        assert_eq!(
            next_due_on(t("09:00"), shanghai, Weekdays::EVERY_DAY, now),
            next_due_after(t("09:00"), shanghai, now)
        );
    }

    #[test]
    fn a_recap_week_is_the_seven_local_days_before_it() {
        // Monday 2026-11-30 in Shanghai at 09:00 (01:00 UTC) covers Mon 11-23 to Sun 11-29.
        let shanghai = parse_timezone("Asia/Shanghai").unwrap();
        let week = RecapWeek::of(d("2026-11-30"), t("09:00"), shanghai);
        assert_eq!((week.first, week.last), (d("2026-11-23"), d("2026-11-29")));
        assert_eq!(week.key, "2026-W49");
        assert!(week.covers(d("2026-11-29")) && !week.covers(d("2026-11-30")) && !week.covers(d("2026-11-22")));
        // Late on Sunday 11-29 UTC it is already Monday in Shanghai, but before 09:00.
        assert_eq!(
            recap_due(
                Weekday::Mon,
                t("09:00"),
                shanghai,
                "2026-11-29T16:30:00Z".parse().unwrap()
            ),
            None
        );
        assert_eq!(
            recap_due(
                Weekday::Mon,
                t("09:00"),
                shanghai,
                "2026-11-30T01:00:00Z".parse().unwrap()
            ),
            Some(week.clone())
        );
        // Still Monday in Shanghai until 16:00 UTC; then Tuesday, and no recap is due.
        assert!(recap_due(
            Weekday::Mon,
            t("09:00"),
            shanghai,
            "2026-11-30T15:59:00Z".parse().unwrap()
        )
        .is_some());
        assert_eq!(
            recap_due(
                Weekday::Mon,
                t("09:00"),
                shanghai,
                "2026-11-30T16:00:00Z".parse().unwrap()
            ),
            None
        );
        // The same instant is Sunday in New York: a Sunday recap there is due, for its own week.
        let ny = parse_timezone("America/New_York").unwrap();
        let sunday = recap_due(Weekday::Sun, t("09:00"), ny, "2026-11-29T16:30:00Z".parse().unwrap()).unwrap();
        assert_eq!(
            (sunday.first, sunday.last, sunday.key.as_str()),
            (d("2026-11-22"), d("2026-11-28"), "2026-W48")
        );
        // Across Berlin's fall-back (Sunday 2026-10-25) a Monday recap is at 08:00 local both
        // weeks, whatever the offset.
        let berlin = parse_timezone("Europe/Berlin").unwrap();
        let before = RecapWeek::of(d("2026-10-19"), t("08:00"), berlin);
        let after = RecapWeek::of(d("2026-10-26"), t("08:00"), berlin);
        assert_eq!(before.due.to_rfc3339(), "2026-10-19T06:00:00+00:00");
        assert_eq!(after.due.to_rfc3339(), "2026-10-26T07:00:00+00:00");
        assert_eq!(
            after.first,
            before.last + Days::new(1),
            "weeks follow each other without a gap"
        );
        assert_eq!(
            next_recap_after(Weekday::Mon, t("08:00"), berlin, before.due),
            after.due
        );
    }
}
