//! What a model answer cost, from a table of list prices (US dollars per million input and
//! output tokens, as OpenAI and Anthropic publish them). A model is matched by the longest
//! name in the table its name starts with, so dated snapshots (`gpt-4.1-mini-2025-04-14`)
//! find their model. A model without a price (a local server's) has no cost.

use crate::chat::TokenUsage;

/// (model name prefix, dollars per million input tokens, per million output tokens)
const PRICES: &[(&str, f64, f64)] = &[
    ("gpt-5", 1.25, 10.0),
    ("gpt-5-mini", 0.25, 2.0),
    ("gpt-5-nano", 0.05, 0.40),
    ("gpt-4.1", 2.0, 8.0),
    ("gpt-4.1-mini", 0.40, 1.60),
    ("gpt-4.1-nano", 0.10, 0.40),
    ("gpt-4o", 2.50, 10.0),
    ("gpt-4o-mini", 0.15, 0.60),
    ("gpt-3.5-turbo", 0.50, 1.50),
    ("o3", 2.0, 8.0),
    ("o4-mini", 1.10, 4.40),
    ("claude-opus-4", 15.0, 75.0),
    ("claude-sonnet-4", 3.0, 15.0),
    ("claude-haiku-4", 1.0, 5.0),
    ("claude-3-7-sonnet", 3.0, 15.0),
    ("claude-3-5-sonnet", 3.0, 15.0),
    ("claude-3-5-haiku", 0.80, 4.0),
    ("claude-3-haiku", 0.25, 1.25),
];

/// The cost of `usage` on `model` in millionths of a dollar, when the model has a price.
pub fn cost_micros(model: &str, usage: TokenUsage) -> Option<u64> {
    let model = model.to_ascii_lowercase();
    let (_, input, output) = PRICES
        .iter()
        .filter(|(name, ..)| model.starts_with(name))
        .max_by_key(|(name, ..)| name.len())?;
    // Dollars per million tokens are micro-dollars per token.
    let micros = usage.input as f64 * input + usage.output as f64 * output;
    Some(micros.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: u64, output: u64) -> TokenUsage {
        TokenUsage { input, output }
    }

    #[test]
    fn the_longest_matching_name_prices_a_model() {
        // 1,000 in at $0.40/M + 500 out at $1.60/M = $0.0004 + $0.0008.
        assert_eq!(
            cost_micros("gpt-4.1-mini-2025-04-14", usage(1_000, 500)),
            Some(1_200)
        );
        assert_eq!(cost_micros("gpt-4.1", usage(1_000, 500)), Some(6_000));
        assert_eq!(
            cost_micros("claude-sonnet-4-5-20250929", usage(2_000, 1_000)),
            Some(21_000)
        );
        assert_eq!(
            cost_micros("GPT-4o-mini", usage(1_000_000, 0)),
            Some(150_000)
        );
    }

    #[test]
    fn unknown_models_have_no_price() {
        assert_eq!(cost_micros("llama3.2:latest", usage(10, 10)), None);
        assert_eq!(cost_micros("", usage(10, 10)), None);
    }
}
