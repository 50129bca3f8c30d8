//! Pagination: paragraphs, table rows and image slices placed on A4 pages, top to bottom.
//!
//! The result is a display list per page (no PDF yet), so that the rule that no text leaves
//! its page lives in one place: a row that does not fit moves to the next page (with the
//! table's header repeated); a row taller than a whole page is split between lines.

use super::text::{Color, Paragraph, Style, Typesetter};

/// A4 in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4 in points.
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// Left, right and top margin.
pub(crate) const MARGIN: f32 = 42.0;
/// The bottom margin, which holds the footer.
pub(crate) const BOTTOM: f32 = 54.0;
/// The width text and images may use.
pub(crate) const BODY_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// The lowest y a line may reach.
const BODY_BOTTOM: f32 = PAGE_HEIGHT - BOTTOM;

/// One drawing operation, in page coordinates (points, origin top left).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    /// Line `line` of paragraph `paragraph`, whose layout origin is at (`x`, `y`).
    Text {
        paragraph: usize,
        line: usize,
        x: f32,
        y: f32,
    },
    /// A horizontal hairline.
    Rule {
        x: f32,
        y: f32,
        width: f32,
        color: Color,
    },
    /// Image slice `slice`, scaled into the given box.
    Image {
        slice: usize,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

/// A paragraph placed at an x offset within the body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell {
    /// Offset from the left margin.
    pub x: f32,
    /// Index into [`Flow::paragraphs`].
    pub paragraph: usize,
}

/// A table's columns: where each starts and how wide it is.
#[derive(Debug, Clone)]
pub(crate) struct Columns(pub Vec<(f32, f32)>);

impl Columns {
    /// Columns from relative widths that share the body width, with a gutter between.
    pub(crate) fn share(weights: &[f32]) -> Self {
        const GUTTER: f32 = 8.0;
        let total: f32 = weights.iter().sum();
        let room = BODY_WIDTH - GUTTER * (weights.len() as f32 - 1.0);
        let mut x = 0.0;
        let columns = weights
            .iter()
            .map(|w| {
                let width = room * w / total;
                let column = (x, width);
                x += width + GUTTER;
                column
            })
            .collect();
        Self(columns)
    }
}

/// The pages so far and the paragraphs they draw.
pub(crate) struct Flow {
    /// Every paragraph laid out for the report.
    pub paragraphs: Vec<Paragraph>,
    /// The display list of each page.
    pub pages: Vec<Vec<Op>>,
    /// Where the next block starts on the last page.
    y: f32,
    /// The header row to repeat when a table continues on a new page.
    header: Option<Vec<Cell>>,
}

impl Flow {
    /// An empty document with one page.
    pub(crate) fn new() -> Self {
        Self {
            paragraphs: Vec::new(),
            pages: vec![Vec::new()],
            y: MARGIN,
            header: None,
        }
    }

    /// Lays out a paragraph and keeps it; returns its index.
    pub(crate) fn keep(
        &mut self,
        ts: &mut Typesetter,
        text: &str,
        style: Style,
        width: f32,
    ) -> usize {
        self.paragraphs.push(ts.paragraph(text, style, width));
        self.paragraphs.len() - 1
    }

    /// Room left on the current page.
    pub(crate) fn remaining(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    /// Vertical space (dropped at the top of a page).
    pub(crate) fn gap(&mut self, height: f32) {
        self.y = (self.y + height).min(BODY_BOTTOM);
    }

    /// Starts a new page unless `height` points still fit on this one.
    pub(crate) fn need(&mut self, height: f32) {
        if self.remaining() + 0.5 < height && !self.at_top() {
            self.new_page();
        }
    }

    /// Starts a new page (repeating the current table's header).
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
        if let Some(header) = self.header.clone() {
            self.row(&header);
            self.rule(INK_RULE);
        }
    }

    /// Begins a table: draws its header row and repeats it on each page the table reaches.
    pub(crate) fn begin_table(&mut self, header: Vec<Cell>) {
        let height = self.height(&header);
        // The header and at least one line of the first row stay together.
        self.need(height + 24.0);
        self.row(&header);
        self.rule(INK_RULE);
        self.header = Some(header);
    }

    /// Ends the current table.
    pub(crate) fn end_table(&mut self) {
        self.header = None;
    }

    /// A hairline across the body.
    pub(crate) fn rule(&mut self, color: Color) {
        self.gap(2.0);
        let y = self.y;
        self.page().push(Op::Rule {
            x: MARGIN,
            y,
            width: BODY_WIDTH,
            color,
        });
        self.gap(3.0);
    }

    /// Places a row of cells, moving it whole to the next page when it does not fit and
    /// would fit on an empty page, and splitting it between lines otherwise.
    pub(crate) fn row(&mut self, cells: &[Cell]) {
        let height = self.height(cells);
        if height > self.remaining() && height <= BODY_BOTTOM - MARGIN {
            self.need(height);
        }
        // Per cell, the next line to draw.
        let mut next: Vec<usize> = vec![0; cells.len()];
        loop {
            let room = self.remaining();
            let fresh = self.at_top();
            let mut used: f32 = 0.0;
            let mut ops = Vec::new();
            for (cell, line_index) in cells.iter().zip(next.iter_mut()) {
                let lines: Vec<_> = self.paragraphs[cell.paragraph].layout.lines().collect();
                // The layout y that lands at the top of this page's part of the cell.
                let origin = lines
                    .get(*line_index)
                    .map_or(0.0, |l| l.metrics().block_min_coord);
                while let Some(line) = lines.get(*line_index) {
                    let bottom = line.metrics().block_max_coord - origin;
                    // On an empty page the first line goes in even if it is taller than the
                    // page: that is the only way forward.
                    if bottom > room && !(fresh && ops.is_empty()) {
                        break;
                    }
                    ops.push(Op::Text {
                        paragraph: cell.paragraph,
                        line: *line_index,
                        x: MARGIN + cell.x,
                        y: self.y - origin,
                    });
                    used = used.max(bottom);
                    *line_index += 1;
                }
            }
            self.page().extend(ops);
            let done = cells
                .iter()
                .zip(&next)
                .all(|(cell, line)| *line >= self.paragraphs[cell.paragraph].layout.lines().len());
            if done {
                self.y += used;
                return;
            }
            self.new_page();
        }
    }

    /// Places an image slice of the given size at the left margin, on a new page unless it
    /// fits on this one.
    pub(crate) fn image(&mut self, slice: usize, width: f32, height: f32) {
        self.need(height);
        let y = self.y;
        self.page().push(Op::Image {
            slice,
            x: MARGIN,
            y,
            width,
            height,
        });
        self.y += height;
    }

    /// The height of a row of cells.
    fn height(&self, cells: &[Cell]) -> f32 {
        cells
            .iter()
            .map(|c| self.paragraphs[c.paragraph].layout.height())
            .fold(0.0, f32::max)
    }

    fn at_top(&self) -> bool {
        self.y <= MARGIN + f32::EPSILON
    }

    fn page(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a flow always has a page")
    }
}

/// The colour of table rules.
pub(crate) const INK_RULE: Color = [0xb8, 0xbe, 0xc4];

#[cfg(test)]
mod tests {
    use super::*;

    fn text_ops(page: &[Op]) -> Vec<(usize, usize, f32)> {
        page.iter()
            .filter_map(|op| match *op {
                Op::Text {
                    paragraph, line, y, ..
                } => Some((paragraph, line, y)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_paragraph_longer_than_a_page_continues_on_the_next_without_losing_a_line() {
        let mut ts = Typesetter::new();
        let mut flow = Flow::new();
        let text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(400);
        let p = flow.keep(&mut ts, &text, Style::body(10.0), BODY_WIDTH);
        flow.row(&[Cell {
            x: 0.0,
            paragraph: p,
        }]);

        let lines = flow.paragraphs[p].layout.lines().len();
        assert!(flow.pages.len() >= 3, "{} pages", flow.pages.len());
        let drawn: Vec<usize> = flow
            .pages
            .iter()
            .flat_map(|p| text_ops(p))
            .map(|o| o.1)
            .collect();
        assert_eq!(
            drawn,
            (0..lines).collect::<Vec<_>>(),
            "each line once, in order"
        );
        for page in &flow.pages {
            let mut last_bottom = MARGIN - 0.01;
            for op in page {
                if let Op::Text {
                    paragraph, line, y, ..
                } = *op
                {
                    let m = *flow.paragraphs[paragraph]
                        .layout
                        .lines()
                        .nth(line)
                        .unwrap()
                        .metrics();
                    assert!(
                        y + m.block_min_coord >= last_bottom,
                        "lines overlap or leave the top"
                    );
                    assert!(
                        y + m.block_max_coord <= BODY_BOTTOM + 0.01,
                        "line off the page"
                    );
                    last_bottom = y + m.block_max_coord - 0.01;
                }
            }
        }
    }

    #[test]
    fn a_table_that_reaches_a_new_page_repeats_its_header_there() {
        let mut ts = Typesetter::new();
        let mut flow = Flow::new();
        let columns = Columns::share(&[1.0, 1.0]);
        let header: Vec<Cell> = columns
            .0
            .iter()
            .map(|&(x, w)| Cell {
                x,
                paragraph: flow.keep(&mut ts, "Header", Style::bold(9.0), w),
            })
            .collect();
        let header_paragraph = header[0].paragraph;
        flow.begin_table(header);
        for i in 0..200 {
            let cells: Vec<Cell> = columns
                .0
                .iter()
                .map(|&(x, w)| Cell {
                    x,
                    paragraph: flow.keep(&mut ts, &format!("row {i}"), Style::body(9.0), w),
                })
                .collect();
            flow.row(&cells);
        }
        flow.end_table();

        assert!(flow.pages.len() >= 3);
        for page in &flow.pages {
            let first = text_ops(page)[0];
            assert_eq!(
                first.0, header_paragraph,
                "each page starts with the header"
            );
        }
    }
}
