//! `-R`: read rules from stdin with ipvsadm's tokenising and run them.
