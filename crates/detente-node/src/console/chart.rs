//! Bar charts drawn on the server, as SVG geometry for the templates:
//! each bar a stack of segments (answered in time, late, unanswered,
//! pending), scaled to the longest bar. Pure. The templates draw it with
//! presentation attributes and classes only (no inline style: the
//! console's Content-Security-Policy forbids it), and every chart has a
//! title and the same figures in a table beside it.

/// The parts of a bar, in order: (class, value).
pub type Parts = Vec<(&'static str, u64)>;

/// One bar of a chart, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Its label (a quarter and whose answers).
    pub label: String,
    /// Its parts.
    pub parts: Parts,
}

/// One drawn segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Left edge, in viewBox units.
    pub x: u32,
    /// Width, in viewBox units (at least 1 for a value above zero).
    pub width: u32,
    /// Its class (colour), e.g. `in-time`.
    pub class: &'static str,
    /// The value it stands for.
    pub value: u64,
}

/// One drawn bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnBar {
    /// Its label.
    pub label: String,
    /// Top edge.
    pub y: u32,
    /// Baseline of its label and total.
    pub text_y: u32,
    /// Its segments, left to right.
    pub segments: Vec<Segment>,
    /// Where its total is written.
    pub total_x: u32,
    /// Its total.
    pub total: u64,
}

/// A drawn chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// The viewBox height (its width is [`WIDTH`]).
    pub height: u32,
    /// Its bars, top to bottom.
    pub bars: Vec<DrawnBar>,
    /// Baseline of the legend.
    pub legend_y: u32,
}

/// The viewBox width.
pub const WIDTH: u32 = 760;
/// Where bars start (labels are to their left).
const BARS_X: u32 = 170;
/// The longest bar's length.
const BARS_WIDTH: u32 = 520;
const ROW: u32 = 30;
/// A bar's height.
pub const BAR: u32 = 20;

/// `bars` drawn, scaled to the longest.
pub fn draw(bars: &[Bar]) -> Chart {
    let longest = bars
        .iter()
        .map(|bar| bar.parts.iter().map(|(_, v)| v).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = |value: u64| -> u32 {
        let scaled = value * u64::from(BARS_WIDTH) / longest;
        u32::try_from(scaled)
            .unwrap_or(BARS_WIDTH)
            .max(u32::from(value > 0))
    };
    let drawn = bars
        .iter()
        .zip(0u32..)
        .map(|(bar, i)| {
            let y = 10 + i * ROW;
            let mut x = BARS_X;
            let segments = bar
                .parts
                .iter()
                .filter(|(_, value)| *value > 0)
                .map(|&(class, value)| {
                    let segment = Segment {
                        x,
                        width: scale(value),
                        class,
                        value,
                    };
                    x += segment.width;
                    segment
                })
                .collect();
            DrawnBar {
                label: bar.label.clone(),
                y,
                text_y: y + 15,
                segments,
                total_x: x + 6,
                total: bar.parts.iter().map(|(_, v)| v).sum(),
            }
        })
        .collect::<Vec<_>>();
    let rows = u32::try_from(drawn.len()).unwrap_or(u32::MAX);
    Chart {
        height: 10 + rows * ROW + 30,
        legend_y: 10 + rows * ROW + 18,
        bars: drawn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_to_the_longest_and_stacked_left_to_right() {
        let chart = draw(&[
            Bar {
                label: "2026-Q3".into(),
                parts: vec![("in-time", 3), ("late", 1), ("unanswered", 0)],
            },
            Bar {
                label: "2026-Q4".into(),
                parts: vec![("in-time", 8), ("late", 0), ("unanswered", 2)],
            },
        ]);
        let longest = &chart.bars[1];
        assert_eq!(longest.total, 10);
        let widths: Vec<u32> = longest.segments.iter().map(|s| s.width).collect();
        assert_eq!(widths.iter().sum::<u32>(), BARS_WIDTH);
        assert_eq!(longest.segments[1].x, longest.segments[0].x + widths[0]);
        // A zero part draws nothing; the shorter bar is shorter.
        assert_eq!(chart.bars[0].segments.len(), 2);
        assert!(chart.bars[0].total_x < longest.total_x);
        assert!(chart.bars[0].y < longest.y);
    }

    #[test]
    fn an_empty_chart_draws_no_segment_and_does_not_divide_by_zero() {
        let chart = draw(&[Bar {
            label: "2026-Q1".into(),
            parts: vec![("in-time", 0)],
        }]);
        assert!(chart.bars[0].segments.is_empty());
        assert_eq!(chart.bars[0].total, 0);
    }

    #[test]
    fn a_small_value_beside_a_large_one_still_shows() {
        let chart = draw(&[Bar {
            label: "q".into(),
            parts: vec![("in-time", 100_000), ("late", 1)],
        }]);
        assert_eq!(chart.bars[0].segments[1].width, 1);
    }
}
