//! Okapi BM25 over short documents (node descriptions with their usual phrasings): which
//! document a clause of a request is about. Words are lower-cased and crudely stemmed so
//! that "sends", "sending" and "sent" meet "send".

use std::collections::HashMap;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Words too common to tell documents apart.
const STOP: &[&str] = &[
    "a", "an", "the", "to", "of", "and", "or", "in", "on", "at", "for", "with", "from", "by", "it",
    "its", "is", "are", "be", "that", "this", "then", "when", "into", "as", "me", "my", "our",
    "we", "i", "you", "your", "them", "their", "each", "every", "all", "please", "also", "after",
];

/// Lower-case words, stop words dropped, each stemmed.
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

/// A light suffix stripper: enough for English requests, not a linguist.
fn stem(word: &str) -> String {
    for (suffix, keep) in [("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")] {
        if let Some(root) = word.strip_suffix(suffix)
            && root.len() >= 3
        {
            return format!("{root}{keep}");
        }
    }
    word.to_string()
}

/// An index over documents, each known by its position.
pub struct Bm25 {
    docs: Vec<HashMap<String, u32>>,
    lengths: Vec<f64>,
    average: f64,
    /// How many documents hold each term.
    holding: HashMap<String, u32>,
}

impl Bm25 {
    pub fn new<'a>(documents: impl IntoIterator<Item = &'a str>) -> Self {
        let mut docs = Vec::new();
        let mut holding: HashMap<String, u32> = HashMap::new();
        for text in documents {
            let mut counts: HashMap<String, u32> = HashMap::new();
            for term in terms(text) {
                *counts.entry(term).or_default() += 1;
            }
            for term in counts.keys() {
                *holding.entry(term.clone()).or_default() += 1;
            }
            docs.push(counts);
        }
        let lengths: Vec<f64> = docs
            .iter()
            .map(|d| d.values().sum::<u32>() as f64)
            .collect();
        let average = lengths.iter().sum::<f64>() / lengths.len().max(1) as f64;
        Self {
            docs,
            lengths,
            average: average.max(1.0),
            holding,
        }
    }

    /// Each document's score for `query`, best first; documents sharing no term are left out.
    pub fn rank(&self, query: &str) -> Vec<(usize, f64)> {
        let query = terms(query);
        let n = self.docs.len() as f64;
        let mut scores: Vec<(usize, f64)> = self
            .docs
            .iter()
            .enumerate()
            .filter_map(|(i, doc)| {
                let mut score = 0.0;
                for term in &query {
                    let Some(&tf) = doc.get(term) else { continue };
                    let df = f64::from(self.holding[term]);
                    let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                    let tf = f64::from(tf);
                    score += idf * tf * (K1 + 1.0)
                        / (tf + K1 * (1.0 - B + B * self.lengths[i] / self.average));
                }
                (score > 0.0).then_some((i, score))
            })
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_about_the_query_ranks_first() {
        let index = Bm25::new([
            "send a message to a slack channel",
            "send an email over smtp",
            "make an http request to a url api",
        ]);
        assert_eq!(index.rank("post the result to Slack")[0].0, 0);
        assert_eq!(index.rank("email the team")[0].0, 1);
        assert_eq!(index.rank("call the orders API")[0].0, 2);
        assert!(index.rank("nothing in common here").is_empty());
    }

    #[test]
    fn words_meet_their_stems() {
        assert_eq!(terms("Sending emails"), vec!["send", "email"]);
        assert_eq!(terms("the companies"), vec!["company"]);
    }
}
