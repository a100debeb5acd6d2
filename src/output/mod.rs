//! Everything ipvsadm prints on stdout for listings: the banner, title
//! lines, service and destination rows in each view, the save (`-S`)
//! format, number scaling, sorting, name rendering, connections,
//! timeouts and daemons. Writes into any `io::Write`; no kernel I/O of
//! its own beyond what callers pass in.
