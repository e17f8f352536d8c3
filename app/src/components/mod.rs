//! Small building blocks shared by pages.

use leptos::prelude::*;

mod schedule_history;
pub use schedule_history::ScheduleHistory;

/// Shows the error of the last action run, if it failed.
#[component]
pub fn ActionError<T, S>(value: S) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, ServerFnError>>> + Send + Sync + 'static,
{
    move || {
        value.get().and_then(|r| r.err()).map(|e| {
            let message = e.to_string();
            let message = message
                .trim_start_matches("error running server function: ")
                .to_string();
            view! { <p class="alert alert-error" role="alert">{message}</p> }
        })
    }
}

/// A Unix-milliseconds timestamp as `YYYY-MM-DD HH:MM` (UTC).
pub fn format_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// The role choices offered in forms.
#[component]
pub fn RoleOptions(
    #[prop(optional)] include_owner: bool,
    #[prop(into)] selected: String,
) -> impl IntoView {
    let roles: &[&str] = if include_owner {
        &["owner", "admin", "editor", "viewer"]
    } else {
        &["admin", "editor", "viewer"]
    };
    roles
        .iter()
        .map(|r| {
            let is = *r == selected;
            view! { <option value=*r selected=is>{*r}</option> }
        })
        .collect_view()
}

/// Sends the browser to `path` with a full page load (after cookies changed).
pub fn hard_navigate(path: &str) {
    let _ = window().location().set_href(path);
}

#[cfg(test)]
mod tests {
    use super::format_ms;

    #[test]
    fn formats_timestamps_as_utc_dates() {
        assert_eq!(format_ms(0), "1970-01-01 00:00");
        assert_eq!(format_ms(1_800_000_000_000), "2027-01-15 08:00");
        assert_eq!(format_ms(951_782_400_000), "2000-02-29 00:00");
    }
}
