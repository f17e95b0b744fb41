//! Durations written the way Go's `time.ParseDuration` reads them (`500ms`, `2s`, `1m30s`,
//! `1.5h`), the form Docker's `HEALTHCHECK --interval` flags take
//! (`frontend/dockerfile/instructions/parse.go` in BuildKit).

use super::Problem;

/// Nanoseconds per unit, as Go's `time` package defines the units (`time/format.go`,
/// `unitMap`): `ns`, `us` (also `µs` with U+00B5 or U+03BC), `ms`, `s`, `m`, `h`.
const UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

const HELP: &str =
    "write a number with a unit (ns, us, ms, s, m, h), e.g. `500ms`, `2s` or `1m30s`";

/// The duration `text` means, in nanoseconds: one or more `<number><unit>` pairs, where the
/// number may have a fraction (`1.5s`), or `0` alone. Like Go's `time.Duration`, the result
/// must fit an `i64` (about 292 years).
///
/// Differences from Go's parser: a sign is an error (a negative duration is never meant here),
/// and so is a fraction finer than a nanosecond (Go rounds it away silently).
///
/// Errors: a [`Problem`] phrased to follow the value's name, for an empty text, a missing or
/// unknown unit, a sign, or a value too large.
pub fn duration_nanoseconds(text: &str) -> Result<i64, Problem> {
    if text.is_empty() {
        return Err(Problem::new("is empty", HELP));
    }
    if text.starts_with(['-', '+']) {
        return Err(Problem::new(
            format!("is `{text}`, with a sign"),
            "durations are never negative: write it without the sign",
        ));
    }
    if text == "0" {
        return Ok(0);
    }
    let mut rest = text;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let number_length = rest
            .find(|character: char| !character.is_ascii_digit() && character != '.')
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_length);
        let unit_length = after
            .find(|character: char| character.is_ascii_digit() || character == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_length);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
            return Err(Problem::new(format!("is not a duration: `{text}`"), HELP));
        }
        if unit.is_empty() {
            return Err(Problem::new(
                format!("is `{text}`, without a unit"),
                format!("add a unit, e.g. `{number}s` for seconds"),
            ));
        }
        let Some((_, scale)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(Problem::new(
                format!("has the unknown unit `{unit}` in `{text}`"),
                HELP,
            ));
        };
        let too_large = || {
            Problem::new(
                format!("is `{text}`, more than a duration can hold (about 292 years)"),
                "write a shorter duration",
            )
        };
        let mut nanoseconds = whole_units(whole)
            .and_then(|count| count.checked_mul(*scale))
            .ok_or_else(too_large)?;
        nanoseconds = nanoseconds
            .checked_add(fraction_of(fraction, *scale).ok_or_else(|| {
                Problem::new(
                    format!("is `{text}`, finer than a nanosecond"),
                    "use fewer decimals, or a smaller unit",
                )
            })?)
            .ok_or_else(too_large)?;
        total = total.checked_add(nanoseconds).ok_or_else(too_large)?;
        rest = after;
    }
    i64::try_from(total).map_err(|_| {
        Problem::new(
            format!("is `{text}`, more than a duration can hold (about 292 years)"),
            "write a shorter duration",
        )
    })
}

/// The integer part (empty = 0); `None` when it does not fit a `u64`.
fn whole_units(digits: &str) -> Option<u64> {
    if digits.is_empty() {
        return Some(0);
    }
    digits.parse().ok()
}

/// `0.<digits>` of `scale` nanoseconds, exactly; `None` when that is not a whole number of
/// nanoseconds (trailing zeros aside, more digits than a `u128` holds never are).
fn fraction_of(digits: &str, scale: u64) -> Option<u64> {
    let mut value: u128 = 0;
    let mut denominator: u128 = 1;
    for digit in digits.trim_end_matches('0').bytes() {
        value = value
            .checked_mul(10)?
            .checked_add(u128::from(digit - b'0'))?;
        denominator = denominator.checked_mul(10)?;
    }
    let scaled = value.checked_mul(u128::from(scale))?;
    if scaled % denominator != 0 {
        return None;
    }
    u64::try_from(scaled / denominator).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000_000_000;

    fn parsed(text: &str) -> i64 {
        duration_nanoseconds(text).unwrap_or_else(|problem| panic!("{text}: {problem}"))
    }

    fn problem(text: &str) -> String {
        match duration_nanoseconds(text) {
            Ok(value) => panic!("{text} should not parse, gave {value}"),
            Err(problem) => problem.message,
        }
    }

    #[test]
    fn reads_go_durations() {
        assert_eq!(parsed("0"), 0);
        assert_eq!(parsed("0s"), 0);
        assert_eq!(parsed("500ms"), SECOND / 2);
        assert_eq!(parsed("2s"), 2 * SECOND);
        assert_eq!(parsed("1m30s"), 90 * SECOND);
        assert_eq!(parsed("1h2m3s4ms5us6ns"), 3_723_004_005_006);
        assert_eq!(parsed("1.5s"), 1_500_000_000);
        assert_eq!(parsed(".5m"), 30 * SECOND);
        assert_eq!(parsed("3.s"), 3 * SECOND);
        assert_eq!(parsed("7\u{b5}s"), 7_000);
        assert_eq!(parsed("7\u{3bc}s"), 7_000);
        assert_eq!(parsed("1.000000001s"), SECOND + 1);
    }

    #[test]
    fn the_largest_duration_is_that_of_go() {
        assert_eq!(parsed("9223372036854775807ns"), i64::MAX);
        assert_eq!(parsed("2562047h47m16.854775807s"), i64::MAX);
        assert!(problem("9223372036854775808ns").contains("more than a duration can hold"));
        assert!(problem("2562048h").contains("more than a duration can hold"));
        assert!(problem("99999999999999999999s").contains("more than a duration can hold"));
        assert!(problem("2562047h2562047h").contains("more than a duration can hold"));
    }

    #[test]
    fn trailing_zeros_of_a_fraction_do_not_count() {
        let zeros = "0".repeat(60);
        assert_eq!(parsed(&format!("1.5{zeros}s")), 3 * SECOND / 2);
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        assert_eq!(problem(""), "is empty");
        assert_eq!(problem("5"), "is `5`, without a unit");
        assert_eq!(problem("1m30"), "is `1m30`, without a unit");
        assert_eq!(problem("2sec"), "has the unknown unit `sec` in `2sec`");
        assert_eq!(problem("2 s"), "has the unknown unit ` s` in `2 s`");
        assert_eq!(problem("-1s"), "is `-1s`, with a sign");
        assert_eq!(problem("+1s"), "is `+1s`, with a sign");
        assert_eq!(problem("s"), "is not a duration: `s`");
        assert_eq!(problem(".s"), "is not a duration: `.s`");
        assert_eq!(problem("1.2.3s"), "is not a duration: `1.2.3s`");
        assert_eq!(problem("0.5ns"), "is `0.5ns`, finer than a nanosecond");
        // Found by fuzzing (`references`): a fraction longer than a u128 overflowed.
        let long = "233720.64288888888888888888888888888888888887385340ms";
        assert_eq!(
            problem(long),
            format!("is `{long}`, finer than a nanosecond")
        );
        let help = duration_nanoseconds("5").map_err(|problem| problem.help);
        assert_eq!(help, Err("add a unit, e.g. `5s` for seconds".to_string()));
    }
}
