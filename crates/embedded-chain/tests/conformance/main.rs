//! Conformance of the embedded chain to nearcore protocol 88: each test pins
//! one rule of the protocol to exact figures (gas, balances, storage bytes)
//! derived from the protocol parameters (`Chain::runtime_config()`), and cites
//! the nearcore function or parameter it follows.

mod accounts;
mod fees;
mod gas_price;
mod support;
mod transactions;
