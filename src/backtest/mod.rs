//! `backtest`: every alert of a spec over a trail's archived logs — what each would have
//! delivered, what it matched but EventBridge would have withheld, and which never fired.

pub mod athena;
pub mod pipeline;
pub mod scan;
pub mod tally;
