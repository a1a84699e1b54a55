//! Ordering a decision's eligible candidates by its strategy, and the buffers a decision
//! works in.

use super::State;
use super::weigh::{Whys, place};
use crate::config::Strategy;
use crate::decision::Decision;
use crate::request::RouteRequest;
use crate::text::Text;
use crate::why::Why;
use crate::{select, smart};

/// Buffers a decision works in, kept between decisions so that a decision allocates little
/// more than the [`Decision`] it returns.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// The eligible targets' figures.
    pub(super) figures: Vec<select::Figures>,
    /// Each eligible target's index among the candidates.
    pub(super) eligible: Vec<usize>,
    /// The strategy's order, as indices into `figures`.
    ranked: Vec<usize>,
    /// The smart strategy's view of the eligible targets, their scores, and a key's spelling.
    arms: Vec<smart::Arm>,
    scored: Vec<smart::Scored>,
    key: String,
    /// Where the candidates' reasons are written.
    pub(super) whys: Whys,
    /// "chosen", "fallback 1", …: shared by every decision, made the first time a route is
    /// that long.
    places: Vec<Text>,
}

impl Scratch {
    /// The shared text of place `rank`.
    fn place(&mut self, rank: usize) -> Text {
        while self.places.len() <= rank {
            let buf = &mut self.whys.buf;
            buf.clear();
            place(buf, self.places.len());
            self.places.push(Text::from(buf.as_str()));
        }
        self.places[rank].clone()
    }
}

/// Orders the eligible candidates (`scratch.eligible`) by the decision's strategy, takes the
/// route's turn when the request is about to be sent, and writes each one's place and reason.
pub(super) fn rank(
    state: &mut State,
    scratch: &mut Scratch,
    decision: &mut Decision,
    req: &RouteRequest,
    cost_weight: f64,
    take_turn: bool,
) {
    let turn = decision
        .route
        .as_ref()
        .and_then(|r| state.turns.get(r))
        .copied()
        .unwrap_or_default();
    let smart = decision.strategy == Strategy::Smart;
    if smart {
        let task = req.task.as_deref();
        let Scratch {
            figures,
            eligible,
            ranked,
            arms,
            scored,
            key,
            ..
        } = scratch;
        arms.clear();
        arms.extend(eligible.iter().zip(figures.iter()).map(|(&c, f)| {
            let t = &decision.candidates[c].target;
            smart::Arm {
                evidence: state
                    .learned
                    .evidence_with(key, task, &t.provider, &t.model),
                cost: f.cost,
            }
        }));
        smart::choose_into(arms, cost_weight, &mut state.rng, ranked, scored);
    } else {
        select::order_into(
            decision.strategy,
            &scratch.figures,
            turn,
            &mut state.rng,
            &mut scratch.ranked,
        );
    }
    // A request with nowhere to go waits and decides again; it has not had its turn.
    if take_turn
        && !scratch.ranked.is_empty()
        && let Some(route) = &decision.route
    {
        // Looked up by the borrowed name first: the name is copied once per route, not per
        // request.
        match state.turns.get_mut(route.as_str()) {
            Some(turn) => *turn += 1,
            None => {
                state.turns.insert(route.clone(), 1);
            }
        }
    }
    decision.order.reserve_exact(scratch.ranked.len());
    for rank in 0..scratch.ranked.len() {
        let i = scratch.ranked[rank];
        let place = scratch.place(rank);
        let why = if smart {
            Why::smart(
                place,
                scratch.scored[i],
                scratch.arms[i].evidence,
                cost_weight,
            )
        } else {
            place.into()
        };
        let c = &mut decision.candidates[scratch.eligible[i]];
        c.rank = Some(rank as u32);
        c.why = why;
        decision.order.push(c.target.clone());
    }
}
