//! Differential tests of `ipvsadm mark`'s matches (issue 20) against
//! iptables-nft 1.8.9 itself, each in fresh network namespaces
//! (`unshare -n`; the host kernel has every xt module they need): the same
//! rule lines through both tools must give the same output, errors, exit
//! statuses and rulesets (`-S`, `-L -v -n -x`, `nft list ruleset`), and
//! each tool checks, deletes and lists what the other added.

#[path = "live/netns.rs"]
mod netns;
// Scripts here are fed on stdin: they can be long.
use netns::ns_stdin as ns;

fn available() -> bool {
    netns::available(
        "iptables -t mangle -A PREROUTING -m iprange --src-range 1.1.1.1-1.1.1.2 \
         && iptables -t mangle -A PREROUTING -m addrtype --dst-type LOCAL \
         && iptables -t mangle -A PREROUTING -m conntrack --ctstate NEW && echo ok",
        "live mark match tests",
        "live mark match tests need root, unshare -n, iptables-nft, nft and the xt modules",
    )
}

/// Rules every module and option accepts (`-6 ` first: ip6tables).
const GOOD: &[&str] = &[
    // tcp
    "-A PREROUTING -p tcp --syn -j MARK --set-mark 1",
    "-A PREROUTING -p tcp ! --syn --sport 1 --dport 2 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --syn --sport 5:7 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp -m tcp --tcp-flags SYN,ACK SYN -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags ALL NONE -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags NONE NONE -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags NONE SYN -j MARK --set-mark 1",
    "-A PREROUTING -p tcp ! --tcp-flags NONE SYN --dport 5 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags fin,syn,rst,psh,ack,urg ALL --dport 80 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags URG,PSH NONE -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-option 2 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp ! --tcp-option 3 --sport 22 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp ! --tcp-flags SYN,ACK SYN --tcp-option 3 ! --dport 1:1023 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --syn --sport 80 --dport 90 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp ! --sport 80 ! --dport 90 --syn -j MARK --set-mark 1",
    // udp
    "-A PREROUTING -p udp --sport 53 --dport 1024: -j MARK --set-mark 1",
    "-A PREROUTING -p udp -m udp ! --dport 53 -j MARK --set-mark 1",
    "-A PREROUTING -p udplite -j MARK --set-mark 1",
    // icmp
    "-A PREROUTING -p icmp --icmp-type echo-request -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 3/4 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp ! --icmp-type echo-reply -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type any -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 255 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type host-unreach -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 3 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp -m icmp --icmp-type 0 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type ping -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type TTL-EXCEEDED -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 42/7 -j MARK --set-mark 1",
    // sctp
    "-A PREROUTING -p sctp --chunk-types any INIT -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types all INIT,DATA:U -j MARK --set-mark 1",
    "-A PREROUTING -p sctp ! --chunk-types only ABORT:T,SHUTDOWN_COMPLETE:T -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any DATA:IBUE,INIT_ACK,SACK,HEARTBEAT,HEARTBEAT_ACK,SHUTDOWN,SHUTDOWN_ACK,ERROR,COOKIE_ECHO,COOKIE_ACK,ECN_ECNE,ECN_CWR,ASCONF,ASCONF_ACK,FORWARD_TSN -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --sport 5 ! --dport 6:7 --chunk-types ANY init -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any DATA:iubeI -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any DATA:U,ABORT:T,SHUTDOWN_COMPLETE:t,DATA:B,INIT -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any DATA:U,ABORT:T,SHUTDOWN_COMPLETE:t,I_DATA:B -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types ALL all -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types only none -j MARK --set-mark 1",
    "-A PREROUTING -p sctp -m sctp --chunk-types any INIT, -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any I_DATA,RE_CONFIG,PAD,I_FORWARD_TSN -j MARK --set-mark 1",
    // mark, connmark
    "-A PREROUTING -m mark --mark 5/0xff -j MARK --set-mark 1",
    "-A PREROUTING -m mark ! --mark 5 -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 5/0xffffffff -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 0/0 -j MARK --set-mark 1",
    "-A PREROUTING -m mark ! --mark 1/0x0 -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 1 -m mark --mark 2 -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 010 -j MARK --set-mark 1",
    "-A PREROUTING -m connmark --mark 1/0xf -j MARK --set-mark 1",
    "-A PREROUTING -m connmark ! --mark 3 -j MARK --set-mark 1",
    "-A PREROUTING -m connmark ! --mark 3/0xff -j MARK --set-mark 1",
    // state, conntrack
    "-A PREROUTING -m state --state NEW,ESTABLISHED -j MARK --set-mark 1",
    "-A PREROUTING -m state ! --state NEW,INVALID,RELATED,UNTRACKED -j MARK --set-mark 1",
    "-A PREROUTING -m state --state invalid -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate NEW -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate NEW,SNAT,DNAT,UNTRACKED,INVALID,ESTABLISHED,RELATED -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack ! --ctproto tcp -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctproto 0 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack ! --ctproto all -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrc 10.0.0.0/8 ! --ctorigdst 1.2.3.4 --ctreplsrc 1.2.3.0/255.255.255.0 --ctrepldst 127.0.0.1/255.0.255.0 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctrepldst 1.2.3.4/16 --ctorigdst 1.2.3.4/0 --ctorigsrc 1.2.3.4/32 --ctreplsrc 1.2.3.4/33 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrcport 10 --ctorigdstport 10:20 ! --ctreplsrcport 5 --ctrepldstport :7 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrcport 1024: --ctorigdstport http -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrcport 70000 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack ! --ctorigsrcport 1:2 ! --ctorigdstport 3 ! --ctrepldstport 4:5 ! --ctorigsrc 1.1.1.1 ! --ctreplsrc 2.2.2.2 ! --ctrepldst 3.3.3.3 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstatus EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED ! --ctexpire 10:20 --ctdir REPLY -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack ! --ctstatus NONE --ctexpire 5 --ctdir original -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctexpire 20:10 --ctorigsrcport 20:10 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctexpire :9 ! --ctstate new -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate NEW -m state --state NEW -m conntrack --ctproto 6 -j MARK --set-mark 1",
    // iprange
    "-A PREROUTING -m iprange --src-range 1.2.3.4-1.2.3.9 ! --dst-range 10.0.0.1-10.0.0.1 -j MARK --set-mark 1",
    "-A PREROUTING -m iprange ! --src-range 1.2.3.4-1.2.3.9 -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --dst-range 1.2.3.4 -j MARK --set-mark 1",
    // addrtype
    "-A PREROUTING -m addrtype --src-type LOCAL,UNICAST ! --dst-type BROADCAST,MULTICAST --limit-iface-in -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype ! --src-type UNSPEC,LOCAL,UNICAST,BROADCAST,ANYCAST,MULTICAST,BLACKHOLE,UNREACHABLE,PROHIBIT,THROW,NAT,XRESOLVE -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --dst-type local -j MARK --set-mark 1",
    "-A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-out -j MARK --set-mark 1",
    // with the core options, multiport and comment
    "-A PREROUTING -d 10.1.1.1 -p tcp --dport 80 --syn -m mark ! --mark 0 -m conntrack --ctstate NEW -m comment --comment new -j MARK --set-mark 6",
    "-A PREROUTING -i eth0 -p tcp -m multiport --dports 80,443 -m state --state NEW -m addrtype --dst-type LOCAL -j MARK --set-mark 7",
    "-A FORWARD -p udp -m iprange --src-range 10.0.0.1-10.0.0.99 -m connmark --mark 0x10/0xf0 -j MARK --or-mark 0x100",
    // LVS-like combinations
    "-A PREROUTING -d 10.0.0.1 -p tcp -m multiport --dports 80,443 -m conntrack --ctstate NEW,ESTABLISHED -m mark --mark 0/0xffff -j MARK --set-mark 9",
    "-A PREROUTING -i eth0 -p udp --dport 53 -m state --state NEW -m addrtype --dst-type LOCAL --limit-iface-in -j MARK --set-mark 9",
    "-A PREROUTING -p tcp --syn -m connmark ! --mark 0 -m comment --comment \"syn and marked\" -j MARK --set-mark 9",
    "-A PREROUTING -m conntrack --ctstate ESTABLISHED,RELATED --ctdir ORIGINAL --ctproto tcp --ctorigdstport 80:90 -j MARK --set-mark 9",
    "-A PREROUTING -p icmp --icmp-type fragmentation-needed -m iprange --dst-range 10.0.0.1-10.0.0.50 -j MARK --set-mark 9",
    "-A PREROUTING -p sctp --dport 9000 --chunk-types only INIT,INIT_ACK,COOKIE_ECHO,COOKIE_ACK,DATA:E -j MARK --set-mark 9",
    "-A PREROUTING -p udp ! --sport 1:1023 -m iprange ! --src-range 192.168.0.1-192.168.0.255 -m mark ! --mark 0x1/0x1 -j MARK --set-mark 9",
    "-6 -A PREROUTING -d 2001:db8::1 -p tcp --dport 443 --tcp-flags SYN,RST SYN -m conntrack --ctstate NEW -j MARK --set-mark 9",
    "-6 -A PREROUTING -p ipv6-icmp --icmpv6-type neighbour-advertisement -m addrtype --src-type LOCAL -j MARK --set-mark 9",
    "-6 -A PREROUTING -m conntrack --ctreplsrc 2001:db8::/48 --ctrepldstport 1024: ! --ctstatus ASSURED -j MARK --set-mark 9",
    // IPv6
    "-6 -A PREROUTING -m mark --mark 7 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m mark ! --mark 1/3 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m connmark --mark 7 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m conntrack --ctorigsrc 2001:db8::/64 --ctstate NEW --ctrepldst ::1 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m conntrack --ctreplsrc 2001:db8::1/ffff:ffff:: ! --ctorigdst 2001:db8::2/128 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m state --state RELATED -j MARK --set-mark 1",
    "-6 -A PREROUTING -m iprange --src-range 2001:db8::1-2001:db8::9 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m addrtype --dst-type LOCAL -j MARK --set-mark 1",
    "-6 -A PREROUTING -p tcp --syn --dport 443 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p tcp --tcp-option 8 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p sctp --chunk-types any INIT -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type echo-request -j MARK --set-mark 1",
    "-6 -A PREROUTING -p ipv6-icmp ! --icmpv6-type 1/3 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type 1 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 -m icmp6 --icmpv6-type 255 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type 133/0 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type neighbor-solicitation -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type ttl-zero-during-reassembly -j MARK --set-mark 1",
];

/// Rule lines iptables refuses (or the kernel does), and corners it may
/// take or not: the same text and status, the same ruleset after.
const BAD: &[&str] = &[
    "-A PREROUTING -m mark -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark x -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 1/2/3 -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 1x -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 1/ -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 1 --mark 2 -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 0x100000000 -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark -j MARK --set-mark 1",
    "-A PREROUTING ! -m mark --mark 1 -j MARK --set-mark 1",
    "-A PREROUTING --mark 1 -j MARK --set-mark 1",
    "-A PREROUTING -m connmark -j MARK --set-mark 1",
    "-A PREROUTING -m connmark --mark 1 ! --mark 2 -j MARK --set-mark 1",
    "-A PREROUTING -m state -j MARK --set-mark 1",
    "-A PREROUTING -m state --state FOO -j MARK --set-mark 1",
    "-A PREROUTING -m state --state SNAT -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate BOGUS -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate NEW, -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate NEW --ctstate NEW -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctproto foo -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstatus BOGUS -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack ! --ctdir REPLY -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctdir BOTH -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctexpire x -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctexpire 1:x -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrcport x -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctrepldst 1.2.3.4/x -j MARK --set-mark 1",
    "-A PREROUTING -m iprange -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-range 1.2.3.4-x -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-range x-1.2.3.4 -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-range 1.1.1.1 --src-range 1.1.1.1 -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --src-type FOO -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --limit-iface-in --limit-iface-out --src-type LOCAL -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --limit-iface-out --limit-iface-in --src-type LOCAL -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype ! --limit-iface-in --src-type LOCAL -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-out -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type foo -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 3/x -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 256 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type echo -j MARK --set-mark 1",
    "-A PREROUTING -m icmp --icmp-type 3 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp -m icmp -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 8 --icmp-type 0 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags SYN -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags FOO SYN -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-option x -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-option 256 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-option 1 --tcp-option 2 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --syn --syn -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --syn --tcp-flags SYN SYN -j MARK --set-mark 1",
    "-A PREROUTING -m tcp --syn -j MARK --set-mark 1",
    "-A PREROUTING -p udp --syn -j MARK --set-mark 1",
    "-A PREROUTING --syn -j MARK --set-mark 1",
    "-A PREROUTING -m foo -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types foo INIT -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any FOO -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any DATA:X -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any INIT:T -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any INIT --chunk-types any INIT -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any DATA:U,ABORT:T,SHUTDOWN_COMPLETE:T,I_DATA:U,ABORT:T -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any DATA:U,ABORT:T,SHUTDOWN_COMPLETE:T,I_DATA:U,PAD:- -j MARK --set-mark 1",
    "-A PREROUTING -m sctp --chunk-types any INIT -j MARK --set-mark 1",
    // Corners: whatever iptables does, we do.
    "-A PREROUTING ! -p tcp --syn -j MARK --set-mark 1",
    "-A PREROUTING ! -p icmp --icmp-type 8 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags SYN,ACK -j MARK -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags SYN,ACK ! SYN -j MARK --set-mark 1",
    "-A PREROUTING -p tcp ! --tcp-flags SYN,ACK SYN ! --syn -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any ! INIT -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any DATA:- -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrc 1.2.3.4,5.6.7.8 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrc localhost --ctrepldst localhost/8 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctexpire 4294967296 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctexpire 1:2:3 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstatus none -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstatus NONE,ASSURED -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrcport 1:2:3 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrcport : -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctdir reply --ctdir original -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-range 1.2.3.4-1.2.3.5-1.2.3.6 -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-range 1.2.3.4- -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-range 1.2.3 -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --src-type LOCAL, -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-in --limit-iface-in -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 0xffffffff/0xffffffff -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark -1 -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 0x -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 08 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type e -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type Echo-Request -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 3/ -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type /3 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 3/256 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 0x3/0x4 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-option 0 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --syn -m tcp --dport 80 -j MARK --set-mark 1",
    "-A PREROUTING -m tcp -p tcp --syn -j MARK --set-mark 1",
    "-A PREROUTING -p tcp -m tcp --syn -m tcp --dport 80 -j MARK --set-mark 1",
    "-A PREROUTING -m state --state NEW --state INVALID -j MARK --set-mark 1",
    "-A PREROUTING -m state ! --state NEW -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate NEW -m conntrack --ctstate NEW -j MARK --set-mark 1",
    "-6 -A PREROUTING -m conntrack --ctorigsrc 1.2.3.4 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m addrtype --src-type BLACKHOLE -j MARK --set-mark 1",
    "-6 -A PREROUTING -m mark --mark 1/2/3 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m state --state FOO -j MARK --set-mark 1",
    "-A PREROUTING -m comment --comment x -m mark --mark 1 -m comment --comment y -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 1 --comment x -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-range 1.2.3.9-1.2.3.4 -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-range 1.2.3.4-1.2.3.9 ! --dst-range 1.2.3.9-1.2.3.4 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m iprange --dst-range 2001:db8::9-2001:db8::1 -j MARK --set-mark 1",
    "-A PREROUTING -m mark -m connmark --mark 1 -j MARK --set-mark 1",
    "-A PREROUTING -m connmark --mark 2 -m mark --mark 1 -j MARK --set-mark 1",
    "-A PREROUTING -m mark -m connmark --mark 1 --mark 2 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp -m mark --syn -m connmark --mark 1 -j MARK --set-mark 1",
    "-A PREROUTING -m state -m conntrack --state NEW -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate NEW --ctstate=NEW -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate=NEW,RELATED --ctdir=REPLY -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags=SYN,ACK SYN -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --syn=x -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --src-type LOCAL --limit-iface-in=x -j MARK --set-mark 1",
    // unresolvable conntrack hosts (no DNS in a fresh namespace)
    "-A PREROUTING -m conntrack --ctorigsrc 256.1.1.1 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrc 1.2.3.4.5 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrc ::1 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrc nosuchhost.invalid -j MARK --set-mark 1",
    "-6 -A PREROUTING -m conntrack --ctorigsrc 2001:::1 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m conntrack --ctorigsrc foo::1 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m conntrack --ctorigsrc 1.2.3.4 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m conntrack --ctorigsrc abc -j MARK --set-mark 1",
    // getopt abbreviations
    "-A PREROUTING --des 1.2.3.4 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --dp 80 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp -m multiport --dports 1,2 --dp 3 -j MARK --set-mark 1",
    "-A PREROUTING -m comment --comm x -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --d 80 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctsta NEW -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate NEW --ctdi REPLY -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-ra 1.2.3.4-1.2.3.5 -j MARK --set-mark 1",
    "-A PREROUTING -m mark --ma 1 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --sy -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp 8 -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --limit-iface-i --src-type LOCAL -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --limit --src-type LOCAL -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-f SYN SYN -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp SYN SYN -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk any INIT -j MARK --set-mark 1",
    "-A PREROUTING --proto tcp --syn -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6 1 -j MARK --set-mark 1",
    "-A PREROUTING -d 1.2.3.4 --jum MARK --set-m 2",
    "-A PREROUTING -p tcp --tcp-flags SYN, SYN -j MARK --set-mark 1",
    "-A PREROUTING -p tcp --tcp-flags ,SYN SYN -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 3/4/5 -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 3/4x -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 3x -j MARK --set-mark 1",
    "-A PREROUTING -p icmp --icmp-type 3/x5 -j MARK --set-mark 1",
    "-A PREROUTING -m state --state NEW,,ESTABLISHED -j MARK --set-mark 1",
    "-A PREROUTING -m state --state NEW, -j MARK --set-mark 1",
    "-A PREROUTING -m state --state FOO, -j MARK --set-mark 1",
    "-A PREROUTING -m state --state NEW,FOO,ESTABLISHED -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstate NEW,FOO,ESTABLISHED -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctstatus ASSURED,FOO,CONFIRMED -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --src-type LOCAL,FOO,UNICAST -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --src-type ,LOCAL -j MARK --set-mark 1",
    "-A PREROUTING -m addrtype --src-type LOCAL, -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrc 1.2.3/24 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrc 0x7f.1 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrc 1.65536 --ctrepldst 010.1.1.1 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctexpire 0x10:010 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrcport 65535:0 -j MARK --set-mark 1",
    "-A PREROUTING -m conntrack --ctorigsrcport ssh:http -j MARK --set-mark 1",
    "-A PREROUTING -m iprange --src-range 0.0.0.0-255.255.255.255 -j MARK --set-mark 1",
    "-A PREROUTING -m mark --mark 4294967295/4294967295 -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --chunk-types any DATA:I,DATA:i -j MARK --set-mark 1",
    "-A PREROUTING -p sctp --dport 5 --chunk-types any SHUTDOWN_COMPLETE:t --sport 6 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m conntrack --ctorigsrc 2001:db8::1/ffff::1 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m iprange --src-range ::1-::2 --dst-range ::ffff:1.2.3.4-::ffff:1.2.3.5 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmp --icmp-type 8 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m icmp --icmp-type 8 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type foo -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type neighb -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type 1/x -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 -m icmp6 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type 1 --icmpv6-type 2 -j MARK --set-mark 1",
    "-6 -A PREROUTING -p icmpv6 --icmpv6-type any -j MARK --set-mark 1",
    "-6 -A PREROUTING -m icmp6 --icmpv6-type 1 -j MARK --set-mark 1",
    "-A PREROUTING -m icmp6 --icmpv6-type 1 -j MARK --set-mark 1",
    "-A PREROUTING -p icmpv6 --icmpv6-type 1 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m iprange --src-range 1.2.3.4-1.2.3.5 -j MARK --set-mark 1",
    "-6 -A PREROUTING -m conntrack --ctorigsrc 2001:db8::/129 -j MARK --set-mark 1",
];

/// `-v` echoes the rule (iptables' FMT_NOTABLE line) for each command.
const VERBOSE: &[&str] = &[
    "-v -A PREROUTING -p tcp --syn --dport 80 -m conntrack --ctstate NEW,ESTABLISHED -j MARK --set-mark 1",
    "-v -A PREROUTING -p icmp --icmp-type echo-request -m mark ! --mark 0x10/0xf0 -j MARK --set-mark 2",
    "-v -I PREROUTING -m iprange --src-range 10.0.0.1-10.0.0.9 -m addrtype --dst-type LOCAL -j MARK --set-mark 3",
    "-v -C PREROUTING -p tcp --syn --dport 80 -m conntrack --ctstate NEW,ESTABLISHED -j MARK --set-mark 1",
    "-v -A PREROUTING -p sctp --chunk-types any INIT -m state --state NEW -m connmark --mark 1 -j MARK --set-mark 4",
    "-v -D PREROUTING -p icmp --icmp-type echo-request -m mark ! --mark 0x10/0xf0 -j MARK --set-mark 2",
    "-6 -v -A PREROUTING -p tcp --tcp-flags ALL SYN -m conntrack --ctorigsrc 2001:db8::/32 -j MARK --set-mark 5",
];

fn tool_line(r: &str, ours: bool) -> String {
    let (six, rest) = match r.strip_prefix("-6 ") {
        Some(rest) => (true, rest),
        None => (false, r),
    };
    match (ours, six) {
        (true, true) => format!("\"$BIN\" mark -6 -t mangle {rest}"),
        (true, false) => format!("\"$BIN\" mark -t mangle {rest}"),
        (false, true) => format!("ip6tables -t mangle {rest}"),
        (false, false) => format!("iptables -t mangle {rest}"),
    }
}

/// Everything iptables and nft show about the ruleset.
const SHOW: &str = "echo '== S'; iptables -t mangle -S; ip6tables -t mangle -S; \
echo '== L'; iptables -t mangle -L -n -v -x --line-numbers; ip6tables -t mangle -L -n -v; \
echo '== Lnames'; iptables -t mangle -L; ip6tables -t mangle -L; echo '== nft'; nft list ruleset";

/// Each line through one tool, with its output, errors and status.
fn run_all(lines: &[&str], ours: bool) -> String {
    let mut s = String::new();
    for r in lines {
        s.push_str(&format!(
            "echo '== {r}'; {} 2>&1; echo rc=$?\n",
            tool_line(r, ours)
        ));
    }
    s.push_str(SHOW);
    let (out, err, _) = ns(&s);
    format!("{out}{err}")
}

/// Line by line, the first difference, for a readable failure.
fn assert_same(ours: &str, theirs: &str) {
    for (a, b) in ours.lines().zip(theirs.lines()) {
        assert_eq!(a, b, "ours vs iptables");
    }
    assert_eq!(ours, theirs);
}

#[test]
fn good_rules_added_alike() {
    if !available() {
        return;
    }
    assert_same(&run_all(GOOD, true), &run_all(GOOD, false));
}

#[test]
fn verbose_echo_alike() {
    if !available() {
        return;
    }
    assert_same(&run_all(VERBOSE, true), &run_all(VERBOSE, false));
}

#[test]
fn bad_rules_refused_alike() {
    if !available() {
        return;
    }
    assert_same(&run_all(BAD, true), &run_all(BAD, false));
}

/// Our listings of the rules iptables added, against iptables' own.
#[test]
fn ours_lists_what_iptables_added() {
    if !available() {
        return;
    }
    let mut s = String::new();
    for r in GOOD {
        s.push_str(&tool_line(r, false));
        s.push('\n');
    }
    for v in ["-S", "-L", "-L -n", "-L -n -v -x --line-numbers", "-v -S"] {
        for six in ["", "-6 "] {
            let prog = if six.is_empty() {
                "iptables"
            } else {
                "ip6tables"
            };
            s.push_str(&format!(
                "{prog} -t mangle {v} > /tmp/.mm_a.$$; \"$BIN\" mark {six}{v} > /tmp/.mm_b.$$; \
                 diff /tmp/.mm_a.$$ /tmp/.mm_b.$$ && echo same || echo 'DIFF {six}{v}'\n"
            ));
        }
    }
    s.push_str("rm -f /tmp/.mm_a.$$ /tmp/.mm_b.$$\n");
    let (out, err, _) = ns(&s);
    assert!(!out.contains("DIFF"), "{out}\n{err}");
    assert_eq!(out.matches("same").count(), 10, "{out}\n{err}");
}

/// Each tool checks and deletes the rules the other added.
#[test]
fn check_and_delete_across_tools() {
    if !available() {
        return;
    }
    let mut s = String::new();
    for r in GOOD {
        let chk = r.replacen("-A ", "-C ", 1);
        let del = r.replacen("-A ", "-D ", 1);
        for (add, other) in [(true, false), (false, true)] {
            s.push_str(&format!(
                "{}\n{} || echo 'FAIL-C {r}'\n{} || echo 'FAIL-D {r}'\n{} 2>/dev/null && echo 'FAIL-gone {r}'\n",
                tool_line(r, add),
                tool_line(&chk, other),
                tool_line(&del, other),
                tool_line(&chk, other)
            ));
        }
    }
    s.push_str(
        "iptables -t mangle -S | grep -- -A; ip6tables -t mangle -S | grep -- -A; echo done\n",
    );
    let (out, err, _) = ns(&s);
    assert_eq!(out, "done\n", "{err}");
}
