//! Words of the charts and the report in each language (`--lang en|zh`).
//!
//! Every fixed piece of text lives here, in [`Labels`]; placeholders in braces (`{year}`)
//! are filled by the caller. The Chinese labels use only characters the embedded font
//! covers: a unit test checks every one of them.

pub use crate::lang::Lang;

impl Lang {
    /// Returns the labels of this language.
    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

/// Fixed text of charts and the report.
#[allow(missing_docs)] // Each field's English value says what it is.
#[derive(Debug)]
pub struct Labels {
    pub html_lang: &'static str,
    pub year: &'static str,
    pub people: &'static str,
    pub share: &'static str,
    pub probability: &'static str,
    pub fan_total: &'static str,
    pub fan_high_skill: &'static str,
    pub fan_high_skill_share: &'static str,
    pub fan_other: &'static str,
    pub band_90: &'static str,
    pub band_50: &'static str,
    pub median: &'static str,
    pub central: &'static str,
    pub initial: &'static str,
    pub observed: &'static str,
    pub observations: &'static str,
    pub observations_note: &'static str,
    pub observation_date: &'static str,
    pub observation_metric: &'static str,
    pub observation_figure: &'static str,
    pub observation_error: &'static str,
    pub observation_source: &'static str,
    pub levels_title: &'static str,
    pub levels_note: &'static str,
    pub prob_title: &'static str,
    pub prob_note: &'static str,
    pub dist_y: &'static str,
    pub dist_in_year: &'static str,
    pub dist_worst_low: &'static str,
    pub dist_worst_high: &'static str,
    pub held: &'static str,
    pub missed: &'static str,
    pub undefined: &'static str,
    pub threshold: &'static str,
    pub colon: &'static str,
    pub footer: &'static str,
    pub at_least: &'static str,
    pub at_most: &'static str,
    pub in_year: &'static str,
    pub window: &'static str,
    pub annotation: &'static str,
    pub verdict_at_least: &'static str,
    pub verdict_at_most: &'static str,
    pub verdict_point: &'static str,
    pub verdict_window: &'static str,
    pub verdict_central: &'static str,
    pub verdict_central_window: &'static str,
    pub likelihood: [&'static str; 7],
    pub metric_total: &'static str,
    pub metric_high_skill: &'static str,
    pub metric_high_skill_share: &'static str,
    pub metric_high_skill_added: &'static str,
    pub metric_high_skill_net_change: &'static str,
    pub metric_level: &'static str,
    pub report_heading: &'static str,
    pub report_meta: &'static str,
    pub verdicts: &'static str,
    pub assumptions: &'static str,
    pub assumptions_note: &'static str,
    pub group: &'static str,
    pub item: &'static str,
    pub value: &'static str,
    pub groups: [(&'static str, &'static str); 6],
    pub charts: &'static str,
    pub table: &'static str,
    pub table_note: &'static str,
    pub col_year: &'static str,
    pub col_total: &'static str,
    pub col_high_skill: &'static str,
    pub col_share: &'static str,
    pub col_added: &'static str,
    pub col_central_share: &'static str,
    pub method: &'static str,
    pub method_text: &'static str,
    pub levels: [(&'static str, &'static str); 8],
}

/// English labels.
pub static EN: Labels = Labels {
    html_lang: "en",
    year: "Year",
    people: "People",
    share: "Share of skilled workers",
    probability: "Probability",
    fan_total: "Skilled workforce, all levels",
    fan_high_skill: "High-skill workforce",
    fan_high_skill_share: "High-skill share of the skilled workforce",
    fan_other: "Projection",
    band_90: "90% of simulated futures (p05–p95)",
    band_50: "50% of simulated futures (p25–p75)",
    median: "Median",
    central: "Central path (central values, no randomness)",
    initial: "Initial stock",
    observed: "Published figure (bar: 90% error)",
    observations: "Published figures",
    observations_note: "Figures about the past that the scenario lists as evidence, drawn on the charts with a 90% error bar (1.645 times the error shown). `talentsim calibrate` reconciles the assumptions with them.",
    observation_date: "Date",
    observation_metric: "Metric",
    observation_figure: "Figure",
    observation_error: "Error (sd)",
    observation_source: "Source",
    levels_title: "Skilled workforce by level",
    levels_note: "Median of each level, stacked",
    prob_title: "Probability that each target holds, by year",
    prob_note: "Lines: share of simulated futures; shaded: 95% Wilson interval",
    dist_y: "Share of simulated futures",
    dist_in_year: "{Metric} in {year}, across {runs} simulated futures",
    dist_worst_low: "Lowest {metric} from {year} to {through}, across {runs} simulated futures",
    dist_worst_high: "Highest {metric} from {year} to {through}, across {runs} simulated futures",
    held: "Target met: {p} of simulated futures",
    missed: "Target missed: {p}",
    undefined: "undefined (zero total): {p}",
    threshold: "Threshold",
    colon: ": ",
    footer: "{runs} simulated futures | seed {seed} | talentsim {version}",
    at_least: "≥",
    at_most: "≤",
    in_year: "in {year}",
    window: "{year}–{through}",
    annotation: "{condition}: {p} (95% CI {low}–{high})",
    verdict_at_least: "at or above",
    verdict_at_most: "at or below",
    verdict_point: "{metric} is {direction} {threshold} in {year} in {p} of simulated futures (95% CI {low}–{high}): {likelihood}.",
    verdict_window: "{metric} stays {direction} {threshold} from {year} to {through} in {p} of simulated futures (95% CI {low}–{high}): {likelihood}.",
    verdict_central: "On the central path it is {central}; the median is {median}.",
    verdict_central_window: "On the central path its worst value in the window is {central}; the median of the worst value is {median}.",
    likelihood: [
        "virtually certain",
        "very likely",
        "likely",
        "about as likely as not",
        "unlikely",
        "very unlikely",
        "exceptionally unlikely",
    ],
    metric_total: "The skilled workforce",
    metric_high_skill: "The high-skill workforce",
    metric_high_skill_share: "The high-skill share",
    metric_high_skill_added: "The gross number added to the high-skill workforce since {start}",
    metric_high_skill_net_change: "The net change in high-skill workers since {start}",
    metric_level: "The {level} stock",
    report_heading: "Talent-pipeline forecast",
    report_meta: "Scenario {scenario} · {start}–{end} · {runs} simulated futures · seed {seed} · talentsim {version}",
    verdicts: "Targets",
    assumptions: "Assumptions",
    assumptions_note: "Every parameter of the scenario. Rates are shares per year. A distribution is drawn once per simulated future unless marked vary = yearly; a by_year schedule holds each value from its year on.",
    group: "Section",
    item: "Item",
    value: "Value, distribution or schedule",
    groups: [
        ("initial", "Initial stock"),
        ("attrition", "Attrition rate"),
        ("upgrade", "Upgrade rate"),
        ("transition", "Other move"),
        ("source", "Inflow"),
        ("monte_carlo", "Monte Carlo"),
    ],
    charts: "Charts",
    table: "Year by year",
    table_note: "Median, with the range holding 90% of simulated futures (p05–p95) in brackets.",
    col_year: "Year",
    col_total: "Skilled workers",
    col_high_skill: "High-skill workers",
    col_share: "High-skill share",
    col_added: "High-skill added since start",
    col_central_share: "Share, central path",
    method: "How to read this",
    method_text: "Each simulated future draws every uncertain rate and inflow from its distribution and, where process noise is on, random flows of whole people. A probability is the share of simulated futures in which the condition holds; its 95% Wilson interval shows the Monte Carlo precision only, not the uncertainty of the assumptions. Likelihood words follow the IPCC scale: virtually certain ≥ 99%, very likely ≥ 90%, likely ≥ 66%, about as likely as not 33–66%, unlikely ≤ 33%, very unlikely ≤ 10%, exceptionally unlikely ≤ 1%. Quantiles are Hyndman-Fan type 7.",
    levels: [
        ("apprentice", "apprentice"),
        ("junior", "junior"),
        ("intermediate", "intermediate"),
        ("senior", "senior"),
        ("technician", "technician"),
        ("senior_technician", "senior technician"),
        ("special_grade", "special-grade technician"),
        ("chief_technician", "chief technician"),
    ],
};

/// Simplified Chinese labels.
pub static ZH: Labels = Labels {
    html_lang: "zh-CN",
    year: "年份",
    people: "人数",
    share: "占技能人才比重",
    probability: "概率",
    fan_total: "技能人才总量",
    fan_high_skill: "高技能人才数量",
    fan_high_skill_share: "高技能人才占技能人才比重",
    fan_other: "预测",
    band_90: "90%模拟结果区间（p05–p95）",
    band_50: "50%模拟结果区间（p25–p75）",
    median: "中位数",
    central: "中心路径（参数取中心值，无随机性）",
    initial: "初始存量",
    observed: "公布数据（误差线：90%）",
    observations: "公布数据",
    observations_note: "情景列出的历史数据，作为证据画在图中（误差线为90%区间，即表中误差的1.645倍）。talentsim calibrate 用这些数据校准假设。",
    observation_date: "日期",
    observation_metric: "指标",
    observation_figure: "数据",
    observation_error: "误差（标准差）",
    observation_source: "来源",
    levels_title: "分等级技能人才",
    levels_note: "各等级中位数堆叠",
    prob_title: "各目标条件逐年成立的概率",
    prob_note: "折线：模拟结果占比；阴影：95% Wilson置信区间",
    dist_y: "模拟结果占比",
    dist_in_year: "{year}年{metric}，共{runs}次模拟",
    dist_worst_low: "{year}至{through}年间{metric}最低值，共{runs}次模拟",
    dist_worst_high: "{year}至{through}年间{metric}最高值，共{runs}次模拟",
    held: "达成目标：{p}的模拟结果",
    missed: "未达成：{p}",
    undefined: "无定义（总量为零）：{p}",
    threshold: "目标值",
    colon: "：",
    footer: "{runs}次模拟 | 随机种子 {seed} | talentsim {version}",
    at_least: "≥",
    at_most: "≤",
    in_year: "{year}年",
    window: "{year}–{through}年",
    annotation: "{condition}：{p}（95%置信区间 {low}–{high}）",
    verdict_at_least: "不低于",
    verdict_at_most: "不高于",
    verdict_point: "{year}年{metric}{direction}{threshold}的概率为{p}（95%置信区间 {low}–{high}）：{likelihood}。",
    verdict_window: "{year}至{through}年{metric}始终{direction}{threshold}的概率为{p}（95%置信区间 {low}–{high}）：{likelihood}。",
    verdict_central: "中心路径下为{central}；中位数为{median}。",
    verdict_central_window: "中心路径下该期间最不利值为{central}；最不利值的中位数为{median}。",
    likelihood: [
        "几乎确定",
        "很可能",
        "可能",
        "可能性约为一半",
        "不太可能",
        "很不可能",
        "极不可能",
    ],
    metric_total: "技能人才总量",
    metric_high_skill: "高技能人才数量",
    metric_high_skill_share: "高技能人才占比",
    metric_high_skill_added: "自{start}年以来新增高技能人才（总量）",
    metric_high_skill_net_change: "自{start}年以来高技能人才净增量",
    metric_level: "{level}人数",
    report_heading: "技能人才发展预测",
    report_meta: "情景 {scenario} · {start}–{end}年 · {runs}次模拟 · 随机种子 {seed} · talentsim {version}",
    verdicts: "目标",
    assumptions: "假设",
    assumptions_note: "情景的全部参数。比率为每年比例。分布在每次模拟中抽取一次（标注 vary = yearly 的每年抽取）；by_year 表示按年份分段取值。",
    group: "类别",
    item: "项目",
    value: "取值、分布或分段",
    groups: [
        ("initial", "初始存量"),
        ("attrition", "流失率"),
        ("upgrade", "晋级率"),
        ("transition", "其他流动"),
        ("source", "流入"),
        ("monte_carlo", "蒙特卡洛"),
    ],
    charts: "图表",
    table: "逐年结果",
    table_note: "中位数，括号内为90%模拟结果区间（p05–p95）。",
    col_year: "年份",
    col_total: "技能人才",
    col_high_skill: "高技能人才",
    col_share: "高技能人才占比",
    col_added: "起始年以来新增高技能人才",
    col_central_share: "占比（中心路径）",
    method: "阅读说明",
    method_text: "每次模拟从各不确定比率和流入的分布中抽取参数；开启过程噪声时，人员流动按整数人随机发生。概率指条件成立的模拟结果所占比例；95% Wilson置信区间只反映模拟次数带来的精度，不反映假设本身的不确定性。可能性用语参照IPCC标准：几乎确定 ≥ 99%，很可能 ≥ 90%，可能 ≥ 66%，可能性约为一半 33–66%，不太可能 ≤ 33%，很不可能 ≤ 10%，极不可能 ≤ 1%。分位数采用Hyndman-Fan第7类定义。",
    levels: [
        ("apprentice", "学徒工"),
        ("junior", "初级工"),
        ("intermediate", "中级工"),
        ("senior", "高级工"),
        ("technician", "技师"),
        ("senior_technician", "高级技师"),
        ("special_grade", "特级技师"),
        ("chief_technician", "首席技师"),
    ],
};

impl Labels {
    /// Returns the display name of a level: a translation of the usual level names, or
    /// the scenario's own name.
    pub fn level<'a>(&self, name: &'a str) -> &'a str {
        self.levels
            .iter()
            .find(|(key, _)| *key == name)
            .map_or(name, |(_, shown)| shown)
    }

    /// Returns the display name of a scenario section of the assumptions table.
    pub fn group<'a>(&self, key: &'a str) -> &'a str {
        self.groups
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, shown)| shown)
    }

    /// Returns the display name of a metric, as the subject of a sentence.
    pub fn metric(&self, metric: &str, start_year: i32) -> String {
        let text = match metric {
            "total" => self.metric_total,
            "high_skill" => self.metric_high_skill,
            "high_skill_share" => self.metric_high_skill_share,
            "high_skill_added" => self.metric_high_skill_added,
            "high_skill_net_change" => self.metric_high_skill_net_change,
            other => {
                let level = other.strip_prefix("level.").unwrap_or(other);
                return self.metric_level.replace("{level}", self.level(level));
            }
        };
        text.replace("{start}", &start_year.to_string())
    }

    /// Returns the display name of a metric as a noun phrase inside a sentence or on an
    /// axis ("high-skill share"); `capital` capitalizes it.
    pub fn metric_noun(&self, metric: &str, start_year: i32, capital: bool) -> String {
        let subject = self.metric(metric, start_year);
        let noun = subject.strip_prefix("The ").unwrap_or(&subject);
        let mut chars = noun.chars();
        match chars.next() {
            Some(first) if capital => first.to_uppercase().chain(chars).collect(),
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// Returns the likelihood word for probability `p` (IPCC calibrated language).
    pub fn likelihood(&self, p: f64) -> &'static str {
        let i = if p >= 0.99 {
            0
        } else if p >= 0.90 {
            1
        } else if p >= 0.66 {
            2
        } else if p > 0.33 {
            3
        } else if p > 0.10 {
            4
        } else if p > 0.01 {
            5
        } else {
            6
        };
        self.likelihood[i]
    }

    /// Lists every fixed text, for checking the embedded font's coverage.
    pub fn all_text(&self) -> Vec<&'static str> {
        let mut v = vec![
            self.year,
            self.people,
            self.share,
            self.probability,
            self.fan_total,
            self.fan_high_skill,
            self.fan_high_skill_share,
            self.fan_other,
            self.band_90,
            self.band_50,
            self.median,
            self.central,
            self.initial,
            self.observed,
            self.observations,
            self.observations_note,
            self.observation_date,
            self.observation_metric,
            self.observation_figure,
            self.observation_error,
            self.observation_source,
            self.levels_title,
            self.levels_note,
            self.prob_title,
            self.prob_note,
            self.dist_y,
            self.dist_in_year,
            self.dist_worst_low,
            self.dist_worst_high,
            self.held,
            self.missed,
            self.undefined,
            self.threshold,
            self.colon,
            self.footer,
            self.at_least,
            self.at_most,
            self.in_year,
            self.window,
            self.annotation,
            self.verdict_at_least,
            self.verdict_at_most,
            self.verdict_point,
            self.verdict_window,
            self.verdict_central,
            self.verdict_central_window,
            self.metric_total,
            self.metric_high_skill,
            self.metric_high_skill_share,
            self.metric_high_skill_added,
            self.metric_high_skill_net_change,
            self.metric_level,
            self.report_heading,
            self.report_meta,
            self.verdicts,
            self.assumptions,
            self.assumptions_note,
            self.group,
            self.item,
            self.value,
            self.charts,
            self.table,
            self.table_note,
            self.col_year,
            self.col_total,
            self.col_high_skill,
            self.col_share,
            self.col_added,
            self.col_central_share,
            self.method,
            self.method_text,
        ];
        v.extend(self.likelihood);
        v.extend(self.groups.iter().map(|g| g.1));
        v.extend(self.levels.iter().map(|g| g.1));
        v
    }
}
