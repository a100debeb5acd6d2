fn main() {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if args.get(1).map(String::as_str) == Some("mark") {
        let argv0 = args.first().map(String::as_str).unwrap_or("ipvsadm");
        std::process::exit(ipvsadm_rs::mark::main(argv0, args.get(2..).unwrap_or(&[])));
    }
    let _ = args;
}
