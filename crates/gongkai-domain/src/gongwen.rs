//! The layout of an official document (《党政机关公文格式》GB/T 9704-2012) as gongkai writes
//! its reply letters and reports: the page, the type of each element, and which line of a
//! letter is which element. The writer (`gongkai_app::office`) only turns these into Word.
//!
//! ◐ The figures are the standard's, read in third-party copies of its text: §5.2.1 A4
//! paper; §5.2.2 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm; §5.2.3 elements in 3号仿宋
//! unless said otherwise; §5.2.4 22 lines of 28 characters; §7.3.1 标题 in 2号小标宋;
//! §7.3.3 结构层次 一、 in 黑体, （一） in 楷体, 1. and (1) in 仿宋; §7.3.5 成文日期 右空四字
//! with the 署名 centred over it; §7.5 页码 4号半角宋体, a dash each side, odd pages
//! right and even pages left, one character in.

/// Millimetres to twentieths of a point (Word's unit of length).
pub fn twips(mm: f64) -> i32 {
    (mm * 72.0 / 25.4 * 20.0).round() as i32
}

/// The A4 page and its type area (版心).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    pub width_mm: f64,
    pub height_mm: f64,
    /// 天头: from the top edge to the type area.
    pub top_mm: f64,
    /// 订口: from the bound (left) edge to the type area.
    pub left_mm: f64,
    pub text_width_mm: f64,
    pub text_height_mm: f64,
    pub lines: u32,
    pub chars_per_line: u32,
}

pub const PAGE: Page = Page {
    width_mm: 210.0,
    height_mm: 297.0,
    top_mm: 37.0,
    left_mm: 28.0,
    text_width_mm: 156.0,
    text_height_mm: 225.0,
    lines: 22,
    chars_per_line: 28,
};

impl Page {
    pub fn right_mm(&self) -> f64 {
        self.width_mm - self.left_mm - self.text_width_mm
    }
    pub fn bottom_mm(&self) -> f64 {
        self.height_mm - self.top_mm - self.text_height_mm
    }
    /// The distance from one line to the next, so that `lines` fill the type area.
    pub fn line_pitch_twips(&self) -> i32 {
        (twips(self.text_height_mm) as f64 / self.lines as f64).round() as i32
    }
}

/// Chinese type sizes (字号) in points.
pub mod size {
    /// 二号
    pub const ER: f32 = 22.0;
    /// 三号
    pub const SAN: f32 = 16.0;
    /// 四号
    pub const SI: f32 = 14.0;
    /// 五号
    pub const WU: f32 = 10.5;
    /// 小五
    pub const XIAO_WU: f32 = 9.0;
}

/// The typefaces offices install for 公文 (the names Word and WPS know them by).
pub mod face {
    pub const XIAOBIAOSONG: &str = "方正小标宋简体";
    pub const FANGSONG: &str = "仿宋_GB2312";
    pub const HEITI: &str = "黑体";
    pub const KAITI: &str = "楷体_GB2312";
    pub const SONGTI: &str = "宋体";
}

/// One element of a letter and how it is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// 标题: centred.
    Title,
    /// The letter's number under the title (like a 发文字号): centred.
    Number,
    /// 主送: the applicant, flush left, ending in a colon.
    Addressee,
    /// 正文: two characters in on the first line.
    Body,
    /// 一、
    Level1,
    /// （一）
    Level2,
    /// 1. and (1)
    Level3,
    /// 发文机关署名, centred over the date.
    Signature,
    /// 成文日期, four characters in from the right.
    Date,
}

impl Element {
    pub fn face(self) -> &'static str {
        match self {
            Element::Title => face::XIAOBIAOSONG,
            Element::Level1 => face::HEITI,
            Element::Level2 => face::KAITI,
            _ => face::FANGSONG,
        }
    }
    pub fn size_pt(self) -> f32 {
        match self {
            Element::Title => size::ER,
            _ => size::SAN,
        }
    }
    /// Only the third level of headings is bold (the others differ by face).
    pub fn bold(self) -> bool {
        self == Element::Level3
    }
}

/// 2025年9月1日 (no leading zeros, the year in full: §7.3.5.4).
fn is_cn_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['年', '月', '日']).collect();
    parts.len() == 4
        && parts[3].is_empty()
        && parts[0].len() == 4
        && parts[..3].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) && !p.starts_with('0'))
        && s.ends_with('日')
}

const NUMERALS: &str = "一二三四五六七八九十";

fn level(line: &str) -> Option<Element> {
    let numeral_then = |s: &str, end: char| {
        let n: String = s.chars().take_while(|c| NUMERALS.contains(*c)).collect();
        !n.is_empty() && s[n.len()..].starts_with(end)
    };
    let digits_then = |s: &str, ends: &[char]| {
        let n: String = s.chars().take_while(char::is_ascii_digit).collect();
        !n.is_empty() && s[n.len()..].starts_with(ends)
    };
    if numeral_then(line, '、') {
        Some(Element::Level1)
    } else if let Some(rest) = line.strip_prefix('（')
        && numeral_then(rest, '）')
    {
        Some(Element::Level2)
    } else if digits_then(line, &['.', '．'])
        || line.strip_prefix('(').or(line.strip_prefix('（')).is_some_and(|r| digits_then(r, &[')', '）']))
    {
        Some(Element::Level3)
    } else {
        None
    }
}

/// The lines of a letter (one paragraph per line, as staff edit it), each with the element
/// it is: the first is the title; a number line may follow; the first short line ending in
/// a colon is the addressee; a closing date and the short line above it are the date and
/// the signature; numbered lines are headings. Blank lines are dropped.
pub fn letter_lines(text: &str) -> Vec<(Element, &str)> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut out: Vec<(Element, &str)> = Vec::with_capacity(lines.len());
    let n = lines.len();
    let dated = n >= 2 && is_cn_date(lines[n - 1]);
    let signed = dated && n >= 3 && lines[n - 2].chars().count() <= 30 && !lines[n - 2].ends_with(['。', '：', ':']);
    let mut addressed = false;
    for (i, l) in lines.iter().enumerate() {
        let e = if i == 0 {
            Element::Title
        } else if i == 1 && (l.starts_with("编号") || crate::DocNo::parse(l).is_ok()) {
            Element::Number
        } else if dated && i == n - 1 {
            Element::Date
        } else if signed && i == n - 2 {
            Element::Signature
        } else if !addressed && l.ends_with(['：', ':']) && l.chars().count() <= 40 {
            addressed = true;
            Element::Addressee
        } else {
            level(l).unwrap_or(Element::Body)
        };
        // Only a line before the body can be the addressee.
        if matches!(e, Element::Body | Element::Level1 | Element::Level2 | Element::Level3) {
            addressed = true;
        }
        out.push((e, *l));
    }
    out
}

/// How far the signature sits from the right edge, in characters: centred over the date,
/// which is four characters in (§7.3.5.1, a sealed document). Never less than the date's.
pub fn signature_indent_chars(signature: &str, date: &str) -> f32 {
    let (s, d) = (signature.chars().count() as f32, date_width_chars(date));
    (4.0 + (d - s) / 2.0).max(4.0)
}

/// A date's width in characters: its digits are half-width.
pub fn date_width_chars(date: &str) -> f32 {
    date.chars().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Element::*;

    #[test]
    fn the_page_is_the_standards() {
        // 订口 28 mm + 版心 156 mm leaves 26 mm; 天头 37 mm + 225 mm leaves 35 mm.
        assert_eq!((PAGE.right_mm(), PAGE.bottom_mm()), (26.0, 35.0));
        assert_eq!((twips(210.0), twips(297.0)), (11906, 16838), "A4 as Word writes it");
        assert_eq!((twips(37.0), twips(28.0), twips(26.0), twips(35.0)), (2098, 1587, 1474, 1984));
        // 22 lines in 225 mm: about 28.9 pt from line to line.
        assert_eq!(PAGE.line_pitch_twips(), 580);
        // 28 characters of 三号 (16 pt) fit in 156 mm (442 pt), barely: Word's grid packs them.
        assert!(PAGE.chars_per_line as f64 * 16.0 > 156.0 * 72.0 / 25.4);
    }

    #[test]
    fn each_element_has_its_face_and_size() {
        let cases = [
            (Title, face::XIAOBIAOSONG, size::ER, false),
            (Body, face::FANGSONG, size::SAN, false),
            (Level1, face::HEITI, size::SAN, false),
            (Level2, face::KAITI, size::SAN, false),
            (Level3, face::FANGSONG, size::SAN, true),
            (Signature, face::FANGSONG, size::SAN, false),
            (Date, face::FANGSONG, size::SAN, false),
        ];
        for (e, f, s, b) in cases {
            assert_eq!((e.face(), e.size_pt(), e.bold()), (f, s, b), "{e:?}");
        }
    }

    #[test]
    fn a_letters_lines_are_told_apart() {
        let letter = "政府信息公开申请答复书\n编号：YSQ2025000001\n\n张三：\n本机关于2025年7月1日收到您的申请。\n一、关于申请内容\n（一）项目清单\n1.清单已附后。\n(2)其他说明：\n如对本答复不服，可以申请行政复议。\n济南市莱芜区人民政府办公室\n2025年7月29日";
        let got: Vec<Element> = letter_lines(letter).into_iter().map(|(e, _)| e).collect();
        assert_eq!(
            got,
            [Title, Number, Addressee, Body, Level1, Level2, Level3, Level3, Body, Signature, Date],
            "a line ending in a colon after the body is not the addressee"
        );
        // A 文号 under the title is its number; no closing date: no signature either.
        let got: Vec<Element> = letter_lines("关于某事的通知\n莱政办发〔2025〕5号\n各单位：\n正文。\n二〇二五年七月")
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        assert_eq!(got, [Title, Number, Addressee, Body, Body]);
        // A date with leading zeros is not a 成文日期 (§7.3.5.4), so it stays body text.
        assert_eq!(letter_lines("标题\n正文。\n某机关\n2025年07月29日").last().unwrap().0, Body);
        assert!(letter_lines("").is_empty());
        assert_eq!(letter_lines("只有标题"), [(Title, "只有标题")]);
    }

    #[test]
    fn the_signature_is_centred_over_the_date() {
        // 2025年7月29日 is 3 characters and 7 half-width digits: 6.5 characters wide.
        assert_eq!(date_width_chars("2025年7月29日"), 6.5);
        assert_eq!(signature_indent_chars("莱芜区教育和体育局", "2025年7月29日"), 4.0, "longer: at least the date's");
        assert_eq!(signature_indent_chars("区政府办", "2025年7月29日"), 5.25);
    }
}
