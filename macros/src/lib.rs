//! Proc macros for uapigen (derives and `include_spec!`): see the [consume] work.
