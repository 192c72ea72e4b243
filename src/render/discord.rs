//! Discord rendering (next).
