//! Loopback fake upstream and test support.
