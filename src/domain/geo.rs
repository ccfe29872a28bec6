//! Positions and distances, for "nearest centre first" (issue 22).
//!
//! Coordinates are integers in millionths of a degree, so that they compare, store and travel
//! exactly. A person's position is cut to hundredths of a degree (about a kilometre) by the
//! browser before it leaves and again by the server: enough to order the centres, not enough
//! to find a house. It is never stored.

/// A point on the earth, in millionths of a degree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    pub lat_e6: i32,
    pub lon_e6: i32,
}

/// How far a shared position is cut: a hundredth of a degree.
const KEPT_E6: i32 = 10_000;

impl Point {
    /// A valid point (latitude within ±90°, longitude within ±180°).
    pub fn new(lat_e6: i32, lon_e6: i32) -> Option<Point> {
        ((-90_000_000..=90_000_000).contains(&lat_e6)
            && (-180_000_000..=180_000_000).contains(&lon_e6))
        .then_some(Point { lat_e6, lon_e6 })
    }

    /// The point cut to hundredths of a degree (rounded half away from zero).
    pub fn coarse(self) -> Point {
        let cut = |v: i32| {
            let half = KEPT_E6 / 2 * v.signum();
            (v + half) / KEPT_E6 * KEPT_E6
        };
        Point {
            lat_e6: cut(self.lat_e6),
            lon_e6: cut(self.lon_e6),
        }
    }

    /// `"25.29,51.53"`: the coarse point as an address carries it. Integer arithmetic only, so
    /// the browser's code needs no floating-point formatting.
    pub fn query(self) -> String {
        let c = self.coarse();
        format!("{},{}", hundredths(c.lat_e6), hundredths(c.lon_e6))
    }

    /// Reads `"lat,lon"` in decimal degrees (as `query` writes it, or finer), cut to
    /// hundredths; `None` for anything else.
    pub fn parse(text: &str) -> Option<Point> {
        let (lat, lon) = text.split_once(',')?;
        Point::new(degrees_e6(lat)?, degrees_e6(lon)?).map(Point::coarse)
    }

    /// Great-circle distance in metres (haversine on a sphere of the earth's mean radius: the
    /// error, under 0.5 %, does not change an order of centres a few kilometres apart).
    pub fn metres_to(self, other: Point) -> u32 {
        const EARTH_RADIUS_M: f64 = 6_371_008.8;
        let rad = |e6: i32| (e6 as f64 / 1e6).to_radians();
        let (lat1, lat2) = (rad(self.lat_e6), rad(other.lat_e6));
        let dlat = lat2 - lat1;
        let dlon = rad(other.lon_e6) - rad(self.lon_e6);
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        let c = 2.0 * a.sqrt().min(1.0).asin();
        (EARTH_RADIUS_M * c).round() as u32
    }
}

/// Millionths of a degree as decimal degrees with two places: -1_250_000 → `-1.25`.
fn hundredths(e6: i32) -> String {
    let h = e6 / KEPT_E6;
    let sign = if h < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (h / 100).abs(), (h % 100).abs())
}

/// `"25.2854"` → 25_285_400: a sign, digits, a point and at most six decimals.
fn degrees_e6(text: &str) -> Option<i32> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 3
        || fraction.len() > 6
        || !is_digits(whole)
        || !is_digits(fraction)
    {
        return None;
    }
    let whole: i32 = whole.parse().ok()?;
    let fraction: i32 = format!("{fraction:0<6}").parse().ok()?;
    let value = whole.checked_mul(1_000_000)?.checked_add(fraction)?;
    Some(if negative { -value } else { value })
}

/// Whole kilometres as a person reads a distance ("about 12 km"); under a kilometre is 1.
pub fn about_km(metres: u32) -> u32 {
    (metres.saturating_add(500) / 1000).max(1)
}

/// `items` ordered by distance from `from` (those without a point last), each with its
/// distance in metres. Ties keep their order (a stable sort), so equal centres stay as the
/// data lists them.
pub fn nearest_first<T>(
    items: Vec<T>,
    from: Point,
    at: impl Fn(&T) -> Option<Point>,
) -> Vec<(T, Option<u32>)> {
    let mut measured: Vec<(T, Option<u32>)> = items
        .into_iter()
        .map(|item| {
            let metres = at(&item).map(|p| from.metres_to(p));
            (item, metres)
        })
        .collect();
    measured.sort_by_key(|(_, metres)| metres.unwrap_or(u32::MAX));
    measured
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DOHA: Point = Point {
        lat_e6: 25_285_400,
        lon_e6: 51_531_000,
    };
    const AL_KHOR: Point = Point {
        lat_e6: 25_680_400,
        lon_e6: 51_496_900,
    };

    #[test]
    fn a_position_travels_cut_to_hundredths() {
        let p = Point::parse("25.286712,51.534999").unwrap();
        assert_eq!(p, Point::new(25_290_000, 51_530_000).unwrap());
        assert_eq!(p.query(), "25.29,51.53");
        assert_eq!(Point::parse(&p.query()), Some(p));
        let south_west = Point::parse("-0.005,-51.004").unwrap();
        assert_eq!(south_west.query(), "-0.01,-51.00");
        assert_eq!(Point::parse("-0.004,0").unwrap().query(), "0.00,0.00");
        for bad in [
            "",
            "25.29",
            "25.29;51.53",
            "91,0",
            "0,181",
            "a,b",
            "25.1234567,51",
            "1e3,2",
            ",5",
            "+25,51",
            "2500,51",
        ] {
            assert_eq!(Point::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn distances_are_those_of_the_map() {
        // Doha to Al Khor: about 44 km as the crow flies.
        let km = DOHA.metres_to(AL_KHOR) / 1000;
        assert!((43..=45).contains(&km), "{km}");
        assert_eq!(DOHA.metres_to(DOHA), 0);
        assert_eq!(about_km(0), 1);
        assert_eq!(about_km(1_400), 1);
        assert_eq!(about_km(1_600), 2);
        assert_eq!(about_km(43_950), 44);
    }

    #[test]
    fn nearest_first_orders_by_distance_and_keeps_ties() {
        let items = vec![
            ("far", Some(AL_KHOR)),
            ("none", None),
            ("here", Some(DOHA)),
            ("also here", Some(DOHA)),
        ];
        let ordered: Vec<&str> = nearest_first(items, DOHA, |(_, p)| *p)
            .into_iter()
            .map(|((name, _), _)| name)
            .collect();
        assert_eq!(ordered, ["here", "also here", "far", "none"]);
    }

    proptest! {
        #[test]
        fn any_valid_position_survives_the_address(lat in -90_000_000i32..=90_000_000, lon in -180_000_000i32..=180_000_000) {
            let p = Point::new(lat, lon).unwrap();
            let back = Point::parse(&p.query()).unwrap();
            prop_assert_eq!(back, p.coarse());
            prop_assert!((back.lat_e6 - lat).abs() <= KEPT_E6 / 2);
            prop_assert!((back.lon_e6 - lon).abs() <= KEPT_E6 / 2);
        }

        #[test]
        fn the_order_never_puts_a_farther_centre_first(points in proptest::collection::vec((24_000_000i32..27_000_000, 50_000_000i32..52_000_000), 1..10), from in (24_000_000i32..27_000_000, 50_000_000i32..52_000_000)) {
            let from = Point::new(from.0, from.1).unwrap();
            let items: Vec<Point> = points.iter().map(|(a, b)| Point::new(*a, *b).unwrap()).collect();
            let ordered = nearest_first(items, from, |p| Some(*p));
            prop_assert!(ordered.windows(2).all(|w| w[0].1 <= w[1].1));
        }
    }
}
