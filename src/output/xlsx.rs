//! `results.xlsx`: the results laid out for a spreadsheet user. A summary and targets
//! sheet, one sheet per metric in wide layout (years down, statistics across), the central
//! path and the assumptions; numbers as numbers with percent and thousands formats; sheet
//! names and headers in the run's language. The CSV tables stay the tidy files for R and
//! pandas; this is the file to open in Excel (a CSV opened by double-click in Chinese Excel
//! is read in the wrong encoding).
//!
//! The workbook's creation date is fixed, so the same results give the same bytes (replay
//! compares them).

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::OutputError;
use crate::lang::Lang;
use crate::scenario::{Direction, MetricName};
use crate::stats::Summary;

/// The workbook's file name.
pub const XLSX_FILE: &str = "results.xlsx";

/// The words of the workbook in one language.
struct Words {
    summary: &'static str,
    central: &'static str,
    assumptions: &'static str,
    scenario: &'static str,
    title: &'static str,
    years: &'static str,
    runs: &'static str,
    seed: &'static str,
    process_noise: &'static str,
    yes: &'static str,
    no: &'static str,
    target_header: [&'static str; 11],
    stats_header: [&'static str; 10],
    central_header: [&'static str; 6],
    assumptions_header: [&'static str; 3],
    at_least: &'static str,
    at_most: &'static str,
    note: &'static str,
}

const EN: Words = Words {
    summary: "Summary",
    central: "Central path",
    assumptions: "Assumptions",
    scenario: "Scenario",
    title: "Title",
    years: "Years",
    runs: "Runs",
    seed: "Seed",
    process_noise: "Process noise",
    yes: "yes",
    no: "no",
    target_header: [
        "Target",
        "Metric",
        "Year",
        "Through",
        "Threshold",
        "Direction",
        "Probability",
        "95% CI low",
        "95% CI high",
        "Central path",
        "Median",
    ],
    stats_header: [
        "Year", "Mean", "SD", "P05", "P10", "P25", "Median", "P75", "P90", "P95",
    ],
    central_header: [
        "Year",
        "Skilled workers",
        "High-skill",
        "High-skill share",
        "High-skill added",
        "High-skill net change",
    ],
    assumptions_header: ["Section", "Item", "Value"],
    at_least: "at least",
    at_most: "at most",
    note: "Probabilities are shares of the Monte Carlo runs; statistics are over runs (quantiles: Hyndman-Fan type 7).",
};

const ZH: Words = Words {
    summary: "摘要",
    central: "中心路径",
    assumptions: "假设",
    scenario: "情景",
    title: "标题",
    years: "年份",
    runs: "模拟次数",
    seed: "随机种子",
    process_noise: "过程随机性",
    yes: "是",
    no: "否",
    target_header: [
        "目标",
        "指标",
        "年份",
        "截至",
        "阈值",
        "方向",
        "概率",
        "95%区间下限",
        "95%区间上限",
        "中心路径",
        "中位数",
    ],
    stats_header: [
        "年份",
        "均值",
        "标准差",
        "P05",
        "P10",
        "P25",
        "中位数",
        "P75",
        "P90",
        "P95",
    ],
    central_header: [
        "年份",
        "技能人才",
        "高技能人才",
        "高技能人才占比",
        "新增高技能人才",
        "高技能人才净增",
    ],
    assumptions_header: ["部分", "项目", "取值"],
    at_least: "不低于",
    at_most: "不高于",
    note: "概率为蒙特卡洛模拟中目标达成的比例；统计量基于全部模拟（分位数：Hyndman-Fan 第7类）。",
};

/// Returns a metric's sheet name (at most 31 characters, none of `[]:*?/\`).
fn sheet_name(metric: &MetricName, lang: Lang) -> String {
    let name = match (metric, lang) {
        (MetricName::Total, Lang::En) => "Skilled workers".to_string(),
        (MetricName::HighSkill, Lang::En) => "High-skill".to_string(),
        (MetricName::HighSkillShare, Lang::En) => "High-skill share".to_string(),
        (MetricName::HighSkillAdded, Lang::En) => "High-skill added".to_string(),
        (MetricName::HighSkillNetChange, Lang::En) => "High-skill net change".to_string(),
        (MetricName::Total, Lang::Zh) => "技能人才".to_string(),
        (MetricName::HighSkill, Lang::Zh) => "高技能人才".to_string(),
        (MetricName::HighSkillShare, Lang::Zh) => "高技能人才占比".to_string(),
        (MetricName::HighSkillAdded, Lang::Zh) => "新增高技能人才".to_string(),
        (MetricName::HighSkillNetChange, Lang::Zh) => "高技能人才净增".to_string(),
        (MetricName::Retirements, Lang::En) => "Retirements".to_string(),
        (MetricName::HighSkillRetirements, Lang::En) => "High-skill retirements".to_string(),
        (MetricName::MeanAge, Lang::En) => "Mean age".to_string(),
        (MetricName::HighSkillMeanAge, Lang::En) => "High-skill mean age".to_string(),
        (MetricName::Retirements, Lang::Zh) => "退休人数".to_string(),
        (MetricName::HighSkillRetirements, Lang::Zh) => "高技能人才退休人数".to_string(),
        (MetricName::MeanAge, Lang::Zh) => "平均年龄".to_string(),
        (MetricName::HighSkillMeanAge, Lang::Zh) => "高技能人才平均年龄".to_string(),
        (MetricName::Level(l), Lang::En) => format!("Level {l}"),
        (MetricName::Level(l), Lang::Zh) => format!("等级 {l}"),
    };
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    clean.chars().take(31).collect()
}

/// Writes `results.xlsx` for `summary` into `dir`, in the language of its audit record.
///
/// # Errors
/// [`OutputError`] naming the file.
pub fn write_workbook(summary: &Summary, dir: &Path) -> Result<(), OutputError> {
    let path = dir.join(XLSX_FILE);
    let lang = summary.audit.as_ref().map(|a| a.lang).unwrap_or_default();
    let bytes = workbook(summary, lang).map_err(|e| OutputError {
        path: path.clone(),
        message: e.to_string(),
    })?;
    std::fs::write(&path, bytes).map_err(|e| OutputError::io(&path, &e))
}

/// Builds the workbook's bytes.
fn workbook(s: &Summary, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let w = match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    };
    let mut book = Workbook::new();
    // A fixed creation date: the same results are the same bytes.
    book.set_properties(
        &DocProperties::new()
            .set_title(&s.title)
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let bold = Format::new().set_bold();
    let count = Format::new().set_num_format("#,##0");
    let share = Format::new().set_num_format("0.0%");
    let prob = Format::new().set_num_format("0.000");
    let years_format = Format::new().set_num_format("0.0");
    let is_share = |m: &MetricName| m.is_share();

    // Summary and targets.
    let sheet = book.add_worksheet();
    sheet.set_name(w.summary)?;
    let mut row = 0;
    for (label, value) in [
        (w.scenario, s.scenario.clone()),
        (w.title, s.title.clone()),
        (w.years, format!("{}-{}", s.start_year, s.end_year)),
        (w.seed, s.seed.to_string()),
        (
            w.process_noise,
            if s.process_noise { w.yes } else { w.no }.to_string(),
        ),
    ] {
        sheet.write_string_with_format(row, 0, label, &bold)?;
        sheet.write_string(row, 1, value)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, w.runs, &bold)?;
    sheet.write_number_with_format(row, 1, s.runs as f64, &count)?;
    row += 2;
    header(sheet, row, &w.target_header, &bold)?;
    for t in &s.targets {
        row += 1;
        let value_format = if is_share(&t.metric) { &share } else { &count };
        sheet.write_string(row, 0, &t.target)?;
        sheet.write_string(row, 1, sheet_name(&t.metric, lang))?;
        sheet.write_number(row, 2, f64::from(t.year))?;
        if let Some(y) = t.through {
            sheet.write_number(row, 3, f64::from(y))?;
        }
        sheet.write_number_with_format(row, 4, t.threshold, value_format)?;
        let direction = match t.direction {
            Direction::AtLeast => w.at_least,
            Direction::AtMost => w.at_most,
        };
        sheet.write_string(row, 5, direction)?;
        sheet.write_number_with_format(row, 6, t.probability, &prob)?;
        sheet.write_number_with_format(row, 7, t.ci_low, &prob)?;
        sheet.write_number_with_format(row, 8, t.ci_high, &prob)?;
        if let Some(v) = t.central_value {
            sheet.write_number_with_format(row, 9, v, value_format)?;
        }
        if let Some(v) = t.p50 {
            sheet.write_number_with_format(row, 10, v, value_format)?;
        }
    }
    sheet.write_string(row + 2, 0, w.note)?;
    sheet.set_column_width(0, 48)?;
    for c in 1..=10 {
        sheet.set_column_width(c, 14)?;
    }

    // One sheet per metric: years down, statistics across.
    let mut metrics: Vec<&MetricName> = Vec::new();
    for r in &s.projection {
        if !metrics.contains(&&r.metric) {
            metrics.push(&r.metric);
        }
    }
    let mut used: Vec<String> = vec![w.summary.into(), w.central.into(), w.assumptions.into()];
    for m in metrics {
        let mut name = sheet_name(m, lang);
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{} {n}", name.chars().take(28).collect::<String>());
            n += 1;
        }
        used.push(name.clone());
        let format = if is_share(m) {
            &share
        } else if matches!(m, MetricName::MeanAge | MetricName::HighSkillMeanAge) {
            &years_format
        } else {
            &count
        };
        let sheet = book.add_worksheet();
        sheet.set_name(&name)?;
        header(sheet, 0, &w.stats_header, &bold)?;
        let mut row = 0;
        for r in s.projection.iter().filter(|r| &r.metric == m) {
            row += 1;
            sheet.write_number(row, 0, f64::from(r.year))?;
            let values = [
                r.mean, r.sd, r.p05, r.p10, r.p25, r.p50, r.p75, r.p90, r.p95,
            ];
            for (c, v) in values.iter().enumerate() {
                if let Some(v) = v {
                    sheet.write_number_with_format(row, c as u16 + 1, *v, format)?;
                }
            }
        }
        sheet.set_freeze_panes(1, 1)?;
        for c in 1..=9 {
            sheet.set_column_width(c, 13)?;
        }
    }

    // The central path.
    let sheet = book.add_worksheet();
    sheet.set_name(w.central)?;
    header(sheet, 0, &w.central_header, &bold)?;
    for (i, level) in s.levels.iter().enumerate() {
        sheet.write_string_with_format(0, 6 + i as u16, level, &bold)?;
    }
    for (i, c) in s.central.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, f64::from(c.year))?;
        sheet.write_number_with_format(row, 1, c.total, &count)?;
        sheet.write_number_with_format(row, 2, c.high_skill, &count)?;
        if let Some(v) = c.high_skill_share {
            sheet.write_number_with_format(row, 3, v, &share)?;
        }
        sheet.write_number_with_format(row, 4, c.high_skill_added, &count)?;
        sheet.write_number_with_format(row, 5, c.high_skill_net_change, &count)?;
        for (j, v) in c.levels.iter().enumerate() {
            sheet.write_number_with_format(row, 6 + j as u16, *v, &count)?;
        }
    }
    sheet.set_freeze_panes(1, 1)?;
    for c in 1..(6 + s.levels.len() as u16) {
        sheet.set_column_width(c, 16)?;
    }

    // The assumptions.
    let sheet = book.add_worksheet();
    sheet.set_name(w.assumptions)?;
    header(sheet, 0, &w.assumptions_header, &bold)?;
    for (i, a) in s.assumptions.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &a.group)?;
        sheet.write_string(row, 1, &a.item)?;
        sheet.write_string(row, 2, &a.value)?;
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(2, 60)?;

    book.save_to_buffer()
}

fn header(sheet: &mut Worksheet, row: u32, names: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (c, name) in names.iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *name, bold)?;
    }
    Ok(())
}
