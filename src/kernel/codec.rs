//! IPVS generic-netlink attribute spaces and message encoding/decoding.
//! Pure byte work: emit a request, parse a reply; never panics on input.
