//! Deterministic benchmark corpus: takes a seed, a file count and an output folder and hands on
//! that many synthetic health articles (Markdown with front matter, some plain text), 2–12 KB
//! each, written from the templates and word lists below — headings, paragraphs, bullet and
//! numbered lists, drug names with strengths, self-care advice, "when to get help" sections,
//! myths, a few multibyte characters (µg, °C, –, ’, é, emoji). The same seed always gives the
//! same bytes, so a benchmark figure names its corpus by `--seed` and `--files`.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --seed 42 --files 2000 --out /tmp/corpus
//! cargo run --release --example gen_corpus -- --seed 7 --one-file /tmp/big.md --bytes 5000000
//! cargo run --release --example gen_corpus -- --seed 42 --files 2000 --jsonl /tmp/corpus.jsonl
//! ```
//!
//! Files go into sub-folders of 500 (`d000/`, `d001/`, …) so that 100,000 files do not sit in
//! one directory. The text is invented: no sentence comes from a real article.
//!
//! `--jsonl PATH` writes the same articles (same seed, same bytes) as stream-mode input
//! instead, one `{"id", "path", "format", "text"}` object per line, `id` and `path` being the
//! file's path under `--out`: stream mode and folder mode can then be compared on identical
//! texts.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::PathBuf;

/// splitmix64: tiny, fast, and good enough to pick words; fixed so output never depends on a
/// crate version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const CONDITIONS: &[&str] = &[
    "headache",
    "migraine",
    "back pain",
    "a sprained ankle",
    "a sore throat",
    "a cold",
    "flu",
    "hay fever",
    "eczema",
    "heartburn",
    "constipation",
    "diarrhoea",
    "a cough",
    "earache",
    "a high temperature",
    "chickenpox",
    "insomnia",
    "anxiety",
    "a urine infection",
    "gout",
    "tennis elbow",
    "a nosebleed",
    "sunburn",
    "an insect bite",
    "toothache",
    "conjunctivitis",
    "cold sores",
    "period pain",
    "a stiff neck",
    "shin splints",
    "knee pain",
    "a bruise",
];
const DRUGS: &[&str] = &[
    "paracetamol",
    "ibuprofen",
    "aspirin",
    "naproxen",
    "codeine",
    "cetirizine",
    "loratadine",
    "omeprazole",
    "lansoprazole",
    "amoxicillin",
    "loperamide",
    "simvastatin",
    "metformin",
    "sertraline",
    "melatonin",
    "hydrocortisone cream",
    "chlorphenamine",
    "diclofenac gel",
    "vitamin D",
    "iron tablets",
    "folic acid",
    "antacids",
    "senna",
    "lactulose",
];
const UNITS: &[&str] = &["mg", "µg", "ml", "g", "mg/ml"];
const SUBJECTS: &[&str] = &[
    "Most people",
    "Many adults",
    "Children",
    "Older people",
    "Some people",
    "You",
    "People with diabetes",
    "Pregnant women",
    "Teenagers",
    "Runners",
    "Office workers",
];
const VERBS: &[&str] = &[
    "feel better within a few days",
    "recover without treatment",
    "notice symptoms at night",
    "find that rest helps",
    "get relief from a warm bath",
    "need to drink more fluids",
    "benefit from gentle stretching",
    "sleep badly for a week or two",
    "see a pharmacist first",
    "improve once the trigger is avoided",
    "keep a symptom diary",
    "have a mild fever",
];
const ADVICE: &[&str] = &[
    "Drink plenty of water and rest as much as you can.",
    "Take {drug} to ease the pain, following the instructions on the packet.",
    "Put a cold compress on the area for 15 to 20 minutes every two hours.",
    "Wrap an ice pack in a towel before you hold it against the skin.",
    "Raise the injured leg on a pillow when you sit or lie down.",
    "Avoid alcohol and caffeine in the evening.",
    "Ask a pharmacist whether {drug} is suitable if you take other medicines.",
    "Keep the room cool and wear loose cotton clothes.",
    "Gently move the joint once the worst pain settles.",
    "Do not give {drug} to children under 16 unless a doctor prescribes it.",
    "Use a saline spray to clear a blocked nose.",
    "Eat small meals and sit upright for an hour afterwards.",
    "Wash your hands often so that you do not spread the infection.",
    "If you have a temperature above 38 °C, stay at home and rest.",
];
const RED_FLAGS: &[&str] = &[
    "chest pain that spreads to your arm, jaw or back",
    "sudden weakness or numbness on one side of the face or body",
    "a rash that does not fade when you press a glass against it",
    "difficulty breathing or fast, shallow breathing",
    "a stiff neck together with a high temperature and confusion",
    "vomiting blood or passing black, tarry poo",
    "a sudden, severe headache unlike any you have had before",
    "pain that keeps getting worse despite painkillers",
    "loss of bladder or bowel control",
    "a child who is floppy, drowsy or hard to wake",
    "swelling of the lips, tongue or throat",
    "numbness around your bottom or genitals",
    "you cannot put any weight on the leg",
    "a high temperature that lasts more than 5 days",
];
const ACTIONS: &[&str] = &[
    "Call 999 or go to A&E immediately if you have:",
    "Get an urgent GP appointment or call 111 if:",
    "See a doctor as soon as possible if you notice:",
    "Ask for an urgent appointment if:",
    "Seek medical help straight away if there is:",
];
const MYTHS: &[&str] = &[
    "Myth: you should starve a fever. Fact: eating light meals helps you recover.",
    "Some people believe that cracking your knuckles causes arthritis, but there is no evidence for this.",
    "It is a common myth that going out with wet hair gives you a cold.",
    "Contrary to popular belief, sugar does not make children hyperactive.",
];
const CLAIMS: &[&str] = &[
    "This natural remedy is completely risk-free and works for everyone.",
    "Fans call it a miracle cure for aches of every kind.",
    "The herbal tea is 100% safe, according to the seller.",
    "It is said to be a wonder drug, although trials have been small.",
];
const FILLER: &[&str] = &[
    "The symptoms usually start gradually and can last for a week or more.",
    "It is one of the most common reasons people visit a pharmacy.",
    "Doctors are not always sure what causes it, but several factors play a part.",
    "Keeping active, within what feels comfortable, usually speeds up recovery.",
    "Stress, poor sleep and long hours at a screen can all make it worse.",
    "The condition is rarely serious, and most people recover fully.",
    "A pharmacist can suggest treatments that you can buy without a prescription.",
    "In the past, doctors recommended complete bed rest, but this is no longer the advice.",
    "My neighbour had this last winter and was back at work within a week.",
    "There is no single test for it; a doctor will ask about your symptoms.",
    "Symptoms can come and go, and they are often worse in the morning.",
    "You might not need to see a GP if the symptoms are mild.",
    "When the weather changes, some people notice a flare-up.",
    "Around 1 in 5 adults will have it at some point in their lives.",
];
const MULTIBYTE: &[&str] = &[
    "Keep the dose below 4 g in 24 hours – that is eight 500 mg tablets.",
    "Store the spray below 25 °C and away from sunlight.",
    "A daily dose of 10 µg of vitamin D is advised from October to March.",
    "The café-style “detox” drinks sold online have no proven benefit.",
    "Patients in the Zürich study reported less pain after 6 weeks ✓.",
    "Ask for the leaflet in your language: español, français, 中文, العربية.",
    "Don’t worry if it takes a while; it’s normal to feel tired 😴.",
];
const HEADINGS: &[&str] = &[
    "Symptoms",
    "Causes",
    "Things you can do yourself",
    "Treatment",
    "How a pharmacist can help",
    "Prevention",
    "Living with it",
    "Outlook",
    "Diagnosis",
    "Medicines",
    "Self-care at home",
    "Common myths",
    "Questions people ask",
];

fn fill(rng: &mut Rng, template: &str) -> String {
    template.replace("{drug}", rng.pick(DRUGS))
}

fn sentence(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=3 => {
            let t = rng.pick(FILLER);
            fill(rng, t)
        }
        4 | 5 => format!("{} {}.", rng.pick(SUBJECTS), rng.pick(VERBS)),
        6 => {
            let t = rng.pick(ADVICE);
            fill(rng, t)
        }
        7 => {
            let drug = rng.pick(DRUGS);
            let dose = [200, 250, 400, 500, 5, 10, 20][rng.below(7)];
            let unit = rng.pick(UNITS);
            let times = rng.range(1, 4);
            format!("The usual adult dose of {drug} is {dose} {unit}, up to {times} times a day.")
        }
        8 => rng.pick(MULTIBYTE).to_string(),
        _ => {
            let c = rng.pick(CONDITIONS);
            format!("If you have {c}, it is worth talking to a pharmacist about what to try first.")
        }
    }
}

fn paragraph(rng: &mut Rng, out: &mut String) {
    let n = rng.range(2, 6);
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&sentence(rng));
    }
    out.push_str("\n\n");
}

fn section(rng: &mut Rng, out: &mut String, markdown: bool) {
    let heading = rng.pick(HEADINGS);
    if markdown {
        let _ = writeln!(out, "## {heading}\n");
    } else {
        let _ = writeln!(out, "{}\n", heading.to_uppercase());
    }
    match rng.below(6) {
        0 | 1 => {
            paragraph(rng, out);
            paragraph(rng, out);
        }
        2 => {
            paragraph(rng, out);
            let numbered = rng.chance(40);
            for i in 0..rng.range(3, 7) {
                let item = {
                    let t = rng.pick(ADVICE);
                    fill(rng, t)
                };
                if numbered {
                    let _ = writeln!(out, "{}. {item}", i + 1);
                } else {
                    let _ = writeln!(out, "- {item}");
                }
            }
            out.push('\n');
        }
        3 => {
            paragraph(rng, out);
            if markdown {
                let _ = writeln!(out, "> {}\n", rng.pick(MYTHS));
            } else {
                let _ = writeln!(out, "{}\n", rng.pick(MYTHS));
            }
            if rng.chance(30) {
                let _ = writeln!(out, "{}\n", rng.pick(CLAIMS));
            }
        }
        4 => {
            paragraph(rng, out);
            if markdown && rng.chance(50) {
                out.push_str("| Medicine | Adult dose |\n|---|---|\n");
                for _ in 0..rng.range(2, 4) {
                    let _ = writeln!(
                        out,
                        "| {} | {} mg |",
                        rng.pick(DRUGS),
                        100 * rng.range(1, 6)
                    );
                }
                out.push('\n');
            }
        }
        _ => {
            paragraph(rng, out);
            if markdown && rng.chance(30) {
                out.push_str("```text\ndose log: 08:00 500mg, 14:00 500mg\n```\n\n");
            }
            paragraph(rng, out);
        }
    }
}

fn red_flag_section(rng: &mut Rng, out: &mut String, markdown: bool) {
    if markdown {
        out.push_str("## When to get medical help\n\n");
    } else {
        out.push_str("WHEN TO GET MEDICAL HELP\n\n");
    }
    let _ = writeln!(out, "{}\n", rng.pick(ACTIONS));
    for _ in 0..rng.range(2, 6) {
        let _ = writeln!(out, "- {}", rng.pick(RED_FLAGS));
    }
    out.push('\n');
}

/// One article of roughly `target` bytes (it stops at the first section boundary past it).
fn article(rng: &mut Rng, index: usize, target: usize, markdown: bool) -> String {
    let condition = rng.pick(CONDITIONS);
    let mut out = String::with_capacity(target + 2048);
    if markdown {
        let _ = writeln!(
            out,
            "---\ntitle: \"Living with {condition} ({index})\"\ntopic: {}\nreviewed: 2024-{:02}-{:02}\n---\n",
            condition.trim_start_matches("a ").trim_start_matches("an ").replace(' ', "-"),
            rng.range(1, 12),
            rng.range(1, 28)
        );
        let _ = writeln!(out, "# {}\n", capitalise(condition));
    } else {
        let _ = writeln!(out, "{}\n", capitalise(condition).to_uppercase());
    }
    paragraph(rng, &mut out);
    let with_flags = rng.chance(70);
    let flags_at = rng.range(1, 4);
    let mut n = 0;
    while out.len() < target {
        section(rng, &mut out, markdown);
        n += 1;
        if with_flags && n == flags_at {
            red_flag_section(rng, &mut out, markdown);
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let s = s.trim_start_matches("a ").trim_start_matches("an ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

struct Args {
    seed: u64,
    files: usize,
    out: Option<PathBuf>,
    jsonl: Option<PathBuf>,
    one_file: Option<PathBuf>,
    bytes: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seed: 42,
        files: 2000,
        out: None,
        jsonl: None,
        one_file: None,
        bytes: 5_000_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--files" => args.files = value()?.parse().map_err(|e| format!("--files: {e}"))?,
            "--out" => args.out = Some(PathBuf::from(value()?)),
            "--jsonl" => args.jsonl = Some(PathBuf::from(value()?)),
            "--one-file" => args.one_file = Some(PathBuf::from(value()?)),
            "--bytes" => args.bytes = value()?.parse().map_err(|e| format!("--bytes: {e}"))?,
            "-h" | "--help" => return Err(
                "usage: gen_corpus [--seed N] (--files N (--out DIR | --jsonl PATH) | --one-file PATH [--bytes N])"
                    .into(),
            ),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.out.is_none() && args.jsonl.is_none() && args.one_file.is_none() {
        return Err("give --out DIR, --jsonl PATH or --one-file PATH".into());
    }
    Ok(args)
}

/// Writes one long article of at least `bytes` bytes to `path` (many sections under one title).
pub fn write_one_file(seed: u64, path: &std::path::Path, bytes: usize) -> std::io::Result<u64> {
    let mut rng = Rng(seed);
    let mut text = article(&mut rng, 0, 4096, true);
    let mut n = 0;
    while text.len() < bytes {
        section(&mut rng, &mut text, true);
        n += 1;
        if n % 7 == 0 {
            red_flag_section(&mut rng, &mut text, true);
        }
    }
    fs::write(path, &text)?;
    Ok(text.len() as u64)
}

/// Generates `files` articles in order, handing each one's relative path (`d000/a000000.md`)
/// and text to `emit`; returns the total size in bytes. Both output forms go through here, so
/// a folder and a JSON-lines file made with the same seed hold the same texts.
fn each_article(
    seed: u64,
    files: usize,
    mut emit: impl FnMut(usize, &str, &str, bool) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let mut rng = Rng(seed);
    let mut total = 0u64;
    for i in 0..files {
        // Sizes skew small like real articles: the sum of two uniforms, 2–12 KB.
        let target = (rng.range(2200, 7600) + rng.range(0, 5200)).min(11_200);
        let markdown = !rng.chance(10);
        let text = article(&mut rng, i, target, markdown);
        let name = format!(
            "d{:03}/a{i:06}.{}",
            i / 500,
            if markdown { "md" } else { "txt" }
        );
        emit(i, &name, &text, markdown)?;
        total += text.len() as u64;
    }
    Ok(total)
}

/// Writes `files` articles under `out` (sub-folders of 500); returns the total size in bytes.
pub fn write_corpus(seed: u64, files: usize, out: &std::path::Path) -> std::io::Result<u64> {
    fs::create_dir_all(out)?;
    each_article(seed, files, |i, name, text, _| {
        if i % 500 == 0 {
            fs::create_dir_all(out.join(format!("d{:03}", i / 500)))?;
        }
        fs::write(out.join(name), text)
    })
}

/// Writes the same `files` articles as `write_corpus` to `path` as JSON lines (stream-mode
/// input); returns the total size of the texts in bytes (not of the JSON).
pub fn write_jsonl(seed: u64, files: usize, path: &std::path::Path) -> std::io::Result<u64> {
    let mut out = std::io::BufWriter::new(fs::File::create(path)?);
    let total = each_article(seed, files, |_, name, text, markdown| {
        let record = serde_json::json!({
            "id": name,
            "path": name,
            "format": if markdown { "md" } else { "txt" },
            "text": text,
        });
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")
    })?;
    out.flush()?;
    Ok(total)
}

fn main() -> std::io::Result<()> {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("gen_corpus: {msg}");
            std::process::exit(2);
        }
    };
    if let Some(path) = &args.one_file {
        let n = write_one_file(args.seed, path, args.bytes)?;
        eprintln!("wrote {} ({n} bytes)", path.display());
        return Ok(());
    }
    if let Some(path) = &args.jsonl {
        let total = write_jsonl(args.seed, args.files, path)?;
        eprintln!(
            "wrote {} records, {} bytes of text ({:.1} MB) to {}",
            args.files,
            total,
            total as f64 / 1e6,
            path.display()
        );
        if args.out.is_none() {
            return Ok(());
        }
    }
    let out = args.out.unwrap_or_default();
    let total = write_corpus(args.seed, args.files, &out)?;
    eprintln!(
        "wrote {} files, {} bytes ({:.1} MB) under {}",
        args.files,
        total,
        total as f64 / 1e6,
        out.display()
    );
    Ok(())
}
