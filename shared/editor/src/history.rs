//! Undo and redo: each step keeps only the edits that reverse it.

use crate::edit::Edit;
use agente_workflow_model::Workflow;
use std::collections::VecDeque;

/// How many steps undo reaches back.
pub const UNDO_LIMIT: usize = 100;

/// Edits applied in order, and what they give back: the edits that reverse them.
pub(crate) fn apply_all(wf: &mut Workflow, edits: Vec<Edit>) -> Vec<Edit> {
    let mut reversals: Vec<Vec<Edit>> = edits.into_iter().map(|e| e.apply(wf)).collect();
    // The last edit is reversed first; each edit's own reversal keeps its order.
    reversals.reverse();
    reversals.into_iter().flatten().collect()
}

#[derive(Debug, Default)]
pub(crate) struct History {
    undo: VecDeque<Vec<Edit>>,
    redo: Vec<Vec<Edit>>,
    /// The step a group collects into, while one is open; how deeply groups are nested.
    group: Option<(Vec<Edit>, usize)>,
}

impl History {
    /// Records the reversal of a user action (or adds it to the open group).
    pub(crate) fn record(&mut self, reversal: Vec<Edit>) {
        if reversal.is_empty() {
            return;
        }
        self.redo.clear();
        match &mut self.group {
            // Later edits are reversed first.
            Some((step, _)) => {
                let mut later = reversal;
                later.append(step);
                *step = later;
            }
            None => self.push_undo(reversal),
        }
    }

    /// Starts collecting every action into one step (a drag, a bulk change); groups nest.
    pub(crate) fn begin_group(&mut self) {
        match &mut self.group {
            Some((_, depth)) => *depth += 1,
            None => self.group = Some((Vec::new(), 1)),
        }
    }

    /// Ends the group begun last; the outermost end makes the step.
    pub(crate) fn end_group(&mut self) {
        if let Some((step, depth)) = &mut self.group {
            *depth -= 1;
            if *depth == 0 {
                let step = std::mem::take(step);
                self.group = None;
                if !step.is_empty() {
                    self.push_undo(step);
                }
            }
        }
    }

    /// Reverses the last step; false when there is none.
    pub(crate) fn undo(&mut self, wf: &mut Workflow) -> bool {
        self.end_all_groups();
        let Some(step) = self.undo.pop_back() else {
            return false;
        };
        self.redo.push(apply_all(wf, step));
        true
    }

    /// Does again the step undone last; false when there is none.
    pub(crate) fn redo(&mut self, wf: &mut Workflow) -> bool {
        self.end_all_groups();
        let Some(step) = self.redo.pop() else {
            return false;
        };
        let reversal = apply_all(wf, step);
        self.push_undo(reversal);
        true
    }

    pub(crate) fn can_undo(&self) -> bool {
        !self.undo.is_empty() || self.group.as_ref().is_some_and(|(s, _)| !s.is_empty())
    }

    pub(crate) fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    fn push_undo(&mut self, step: Vec<Edit>) {
        self.undo.push_back(step);
        if self.undo.len() > UNDO_LIMIT {
            self.undo.pop_front();
        }
    }

    /// An undo in the middle of a group (a drag still going) first closes it.
    fn end_all_groups(&mut self) {
        while self.group.is_some() {
            self.end_group();
        }
    }
}
