# fish completion for ipvsadm (ipvsadm-rs)
#
# The first word is the command; after it only the options that command
# accepts are offered, with their values: schedulers, scheduler flags,
# tunnel types, daemon roles, persistence engines, interfaces, and the
# virtual services currently in the kernel (from `ipvsadm -S -n`).
# `ipvsadm mark ...` completes iptables' mangle MARK arguments; the other
# extensions (apply, realserver, director, metrics, sysctl, top, --netns, --json) are covered too.

# The words before the cursor without any "--netns NAME" (an extension
# that may come anywhere), so that the command is always the second one.
function __ipvsadm_tokens
    set -l skip 0
    for t in (commandline -opc)
        if test $skip -eq 1
            set skip 0
        else if test "x$t" = x--netns
            set skip 1
        else if not string match -q -- '--netns=*' $t
            printf "%s\n" $t
        end
    end
end

function __ipvsadm_no_cmd
    test (count (__ipvsadm_tokens)) -eq 1
end

# True when the command (the first argument) is one of $argv. A command
# may open a cluster of short options: -Ln is -L -n.
function __ipvsadm_cmd_is
    set -l tokens (__ipvsadm_tokens)
    test (count $tokens) -ge 2; or return 1
    set -l cmd $tokens[2]
    string match -qr -- '^-[^-].' $cmd; and set cmd (string sub -l 2 -- $cmd)
    contains -- $cmd $argv
end

# True right after --start-daemon/--stop-daemon, where the role goes.
function __ipvsadm_role_next
    set -l tokens (__ipvsadm_tokens)
    test (count $tokens) -eq 2; and contains -- $tokens[2] --start-daemon --stop-daemon
end

# True when none of $argv was given after the command yet: each option
# may appear once, and only one of a group (service kinds, forwarding).
function __ipvsadm_fresh
    set -l tokens (__ipvsadm_tokens)
    # Completing an option's value: that option itself does not count.
    string match -q -- '-*' (commandline -ct); or set -e tokens[-1]
    for t in $tokens[3..-1]
        set -l name (string replace -r '=.*' '' -- $t)
        string match -qr -- '^-[^-]' $name; and set name (string sub -l 2 -- $name)
        contains -- $name $argv; and return 1
    end
    return 0
end

# Virtual services of one kind in the kernel table; $argv[1] is the option
# the save format writes for that kind (-t, -u, --sctp-service or -f).
function __ipvsadm_services
    # Only ask when ip_vs is loaded: ipvsadm would otherwise load the module.
    test -e /proc/net/ip_vs; or set -q IPVSADM_COMPLETION_QUERY; or return 0
    set -l line (commandline -opc)
    set -l prog $line[1]
    string match -q -- '*/*' $prog; or set prog ipvsadm
    # Ask the namespace given with --netns, if any.
    set -l ns
    for i in (seq (count $line))
        if test "x$line[$i]" = x--netns; and test $i -lt (count $line)
            set ns --netns $line[(math $i + 1)]
        else if string match -q -- '--netns=*' $line[$i]
            set ns $line[$i]
        end
    end
    command $prog $ns -S -n 2>/dev/null | while read -l -a w
        if test (count $w) -ge 3; and test "x$w[1]" = x-A; and test "x$w[2]" = "x$argv[1]"
            printf "%s\n" $w[3]
        end
    end
end

# Comma-separated scheduler flags: complete the last item of the list.
function __ipvsadm_sched_flags
    set -l cur (commandline -ct)
    set -l head (string replace -r '[^,]*$' '' -- (string replace -r '^--sched-flags=' '' -- $cur))
    for f in flag-1 flag-2 flag-3 sh-fallback sh-port mh-fallback mh-port
        printf "%s\n" $head$f
    end
end

# True right after "-P CHAIN" (ipvsadm mark), where the policy goes.
function __ipvsadm_policy_next
    set -l tokens (__ipvsadm_tokens)
    test (count $tokens) -ge 2; and contains -- $tokens[-2] -P --policy
end

function __ipvsadm_interfaces
    command ls /sys/class/net 2>/dev/null
end

complete -c ipvsadm -f

# Commands (first argument).
complete -c ipvsadm -n __ipvsadm_no_cmd -s A -l add-service -d 'Add a virtual service'
complete -c ipvsadm -n __ipvsadm_no_cmd -s E -l edit-service -d 'Replace a virtual service\'s settings'
complete -c ipvsadm -n __ipvsadm_no_cmd -s D -l delete-service -d 'Delete a virtual service'
complete -c ipvsadm -n __ipvsadm_no_cmd -s C -l clear -d 'Delete every virtual service'
complete -c ipvsadm -n __ipvsadm_no_cmd -s R -l restore -d 'Run rules read from standard input'
complete -c ipvsadm -n __ipvsadm_no_cmd -s S -l save -d 'Print the table as rules'
complete -c ipvsadm -n __ipvsadm_no_cmd -s a -l add-server -d 'Add a real server'
complete -c ipvsadm -n __ipvsadm_no_cmd -s e -l edit-server -d 'Replace a real server\'s settings'
complete -c ipvsadm -n __ipvsadm_no_cmd -s d -l delete-server -d 'Delete a real server'
complete -c ipvsadm -n __ipvsadm_no_cmd -s L -l list -d 'List the table'
complete -c ipvsadm -n __ipvsadm_no_cmd -s l -d 'List the table'
complete -c ipvsadm -n __ipvsadm_no_cmd -s Z -l zero -d 'Zero the counters'
complete -c ipvsadm -n __ipvsadm_no_cmd -l set -d 'Set the tcp, tcpfin and udp timeouts'
complete -c ipvsadm -n __ipvsadm_no_cmd -l start-daemon -x -d 'Start the connection sync daemon'
complete -c ipvsadm -n __ipvsadm_no_cmd -l stop-daemon -x -d 'Stop the connection sync daemon'
complete -c ipvsadm -n '__ipvsadm_role_next' -x -a 'master backup' -d 'Sync daemon role'
complete -c ipvsadm -n __ipvsadm_no_cmd -s h -l help -d 'Print the usage summary'
complete -c ipvsadm -n __ipvsadm_no_cmd -s v -l version -d 'Print the version'
complete -c ipvsadm -n __ipvsadm_no_cmd -a mark -d 'Manage mangle MARK rules for fwmark services'
complete -c ipvsadm -n __ipvsadm_no_cmd -a apply -d 'Make the kernel table match a saved one'
complete -c ipvsadm -n __ipvsadm_no_cmd -a realserver -d 'Prepare a direct-routing real server'
complete -c ipvsadm -n __ipvsadm_no_cmd -a director -d 'Put the virtual address on the director'
complete -c ipvsadm -n __ipvsadm_no_cmd -a metrics -d 'Print the counters in Prometheus text format'
complete -c ipvsadm -n __ipvsadm_no_cmd -a sysctl -d 'Show or change the IPVS kernel settings'
complete -c ipvsadm -n __ipvsadm_no_cmd -a drain -d 'Take a real server out without cutting connections'
complete -c ipvsadm -n __ipvsadm_no_cmd -a top -d 'Show services and real servers sorted by traffic, live'

# Extensions: --netns anywhere, apply, realserver, director, metrics.
complete -c ipvsadm -l netns -x -a '(command ls /run/netns 2>/dev/null)' -d 'Run in another network namespace'
complete -c ipvsadm -n '__ipvsadm_cmd_is apply' -l dry-run -d 'Print the changes instead of making them'
complete -c ipvsadm -n '__ipvsadm_cmd_is apply' -F -d 'Rules file'
complete -c ipvsadm -n '__ipvsadm_cmd_is realserver director' -l vip -x -d 'Virtual address'
complete -c ipvsadm -n '__ipvsadm_cmd_is realserver director' -l dev -x -a '(__ipvsadm_interfaces)' -d Device
complete -c ipvsadm -n '__ipvsadm_cmd_is realserver director' -l undo -d 'Restore what was there before'
complete -c ipvsadm -n '__ipvsadm_cmd_is metrics' -l by -x -a 'server service' -d 'One series per server or per service'
complete -c ipvsadm -n '__ipvsadm_cmd_is metrics' -l textfile -r -F -d 'Write this file atomically'
complete -c ipvsadm -n '__ipvsadm_cmd_is metrics' -l listen -x -d 'Serve /metrics over HTTP on ADDR:PORT'
complete -c ipvsadm -n '__ipvsadm_cmd_is metrics' -s n -l numeric -d 'Numeric addresses (always)'
complete -c ipvsadm -n '__ipvsadm_cmd_is apply realserver director metrics sysctl' -s h -l help -d 'Print the usage'
complete -c ipvsadm -n '__ipvsadm_cmd_is sysctl' -l json -d 'Print JSON'
complete -c ipvsadm -n '__ipvsadm_cmd_is sysctl' -x -a '(command ls /proc/sys/net/ipv4/vs 2>/dev/null)' -d 'IPVS setting'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -s t -l tcp-service -x -a '(__ipvsadm_services -t)' -d 'TCP virtual service'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -s u -l udp-service -x -a '(__ipvsadm_services -u)' -d 'UDP virtual service'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -l sctp-service -x -a '(__ipvsadm_services --sctp-service)' -d 'SCTP virtual service'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -s f -l fwmark-service -x -a '(__ipvsadm_services -f)' -d 'Firewall mark service'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -s 6 -l ipv6 -d 'The fwmark service is IPv6'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -s r -l real-server -x -d 'Real server ADDR[:PORT]'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -l timeout -x -d 'Give up after SECS (weight stays 0)'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -l interval -x -d 'Poll every SECS'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -l keep -d 'Stop at weight 0 once drained'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -l dry-run -d 'Say what would be done, change nothing'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -s n -l numeric -d 'Numeric addresses and ports'
complete -c ipvsadm -n '__ipvsadm_cmd_is drain' -s h -l help -d 'Print the usage'
complete -c ipvsadm -n '__ipvsadm_cmd_is top' -s d -l delay -x -d 'Seconds between readings'
complete -c ipvsadm -n '__ipvsadm_cmd_is top' -s n -l numeric -d 'Numeric addresses and ports'
complete -c ipvsadm -n '__ipvsadm_cmd_is top' -l sort -x -a 'conns packets bytes' -d 'What to sort by'
complete -c ipvsadm -n '__ipvsadm_cmd_is top' -l once -d 'Print one snapshot and exit'
complete -c ipvsadm -n '__ipvsadm_cmd_is top' -l count -x -d 'Print this many snapshots and exit'
complete -c ipvsadm -n '__ipvsadm_cmd_is top' -l json -d 'One JSON object per snapshot'
complete -c ipvsadm -n '__ipvsadm_cmd_is top' -s h -l help -d 'Print the usage'

# Virtual service: every command that names one.
set -l __ipvsadm_svc -A --add-service -E --edit-service -D --delete-service -a --add-server -e --edit-server -d --delete-server -L -l --list -Z --zero
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svc; and __ipvsadm_fresh -t --tcp-service -u --udp-service --sctp-service -f --fwmark-service" -s t -l tcp-service -x -a '(__ipvsadm_services -t)' -d 'TCP virtual service'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svc; and __ipvsadm_fresh -t --tcp-service -u --udp-service --sctp-service -f --fwmark-service" -s u -l udp-service -x -a '(__ipvsadm_services -u)' -d 'UDP virtual service'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svc; and __ipvsadm_fresh -t --tcp-service -u --udp-service --sctp-service -f --fwmark-service" -l sctp-service -x -a '(__ipvsadm_services --sctp-service)' -d 'SCTP virtual service'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svc; and __ipvsadm_fresh -t --tcp-service -u --udp-service --sctp-service -f --fwmark-service" -s f -l fwmark-service -x -a '(__ipvsadm_services -f)' -d 'Firewall mark service'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svc" -s 6 -l ipv6 -d 'The fwmark service is IPv6'
complete -c ipvsadm -n 'not __ipvsadm_no_cmd; and not __ipvsadm_cmd_is mark apply realserver director metrics sysctl drain top -h --help -v --version' -l sort -d 'No effect (compatibility)'

# -A / -E
set -l __ipvsadm_svcopt -A --add-service -E --edit-service
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svcopt; and __ipvsadm_fresh -s --scheduler" -s s -l scheduler -x -a 'rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos' -d Scheduler
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svcopt; and __ipvsadm_fresh -p --persistent" -s p -l persistent -d 'Persistent service [timeout]'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svcopt; and __ipvsadm_fresh -M --netmask" -s M -l netmask -x -d 'Persistence granularity mask'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svcopt; and __ipvsadm_fresh --pe" -l pe -x -a sip -d 'Persistence engine'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svcopt; and __ipvsadm_fresh -b --sched-flags" -s b -l sched-flags -x -a '(__ipvsadm_sched_flags)' -d 'Scheduler flags'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_svcopt; and __ipvsadm_fresh -o --ops" -s o -l ops -d 'One-packet scheduling'

# -a / -e / -d
set -l __ipvsadm_dest -a --add-server -e --edit-server -d --delete-server
set -l __ipvsadm_destopt -a --add-server -e --edit-server
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_dest; and __ipvsadm_fresh -r --real-server" -s r -l real-server -x -a '(__fish_print_hostnames)' -d 'Real server'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh -g --gatewaying -i --ipip -m --masquerading" -s g -l gatewaying -d 'Direct routing (default)'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh -g --gatewaying -i --ipip -m --masquerading" -s i -l ipip -d Tunnelling
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh -g --gatewaying -i --ipip -m --masquerading" -s m -l masquerading -d NAT
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh -w --weight" -s w -l weight -x -d Weight
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh -x --u-threshold" -s x -l u-threshold -x -d 'Upper connection threshold'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh -y --l-threshold" -s y -l l-threshold -x -d 'Lower connection threshold'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh --tun-type" -l tun-type -x -a 'ipip gue gre' -d 'Tunnel type'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh --tun-port" -l tun-port -x -d 'GUE destination port'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh --tun-nocsum" -l tun-nocsum -d 'Tunnel without checksum'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh --tun-csum" -l tun-csum -d 'Tunnel with checksum'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_destopt; and __ipvsadm_fresh --tun-remcsum" -l tun-remcsum -d 'Tunnel with remote checksum'

# -L / -S
set -l __ipvsadm_list -L -l --list
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list -S --save; and __ipvsadm_fresh -n --numeric" -s n -l numeric -d 'Numeric addresses and ports'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh -c --connection" -s c -l connection -d 'List connections'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh --timeout" -l timeout -d 'List the timeouts'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh --daemon" -l daemon -d 'List the sync daemons'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh --stats" -l stats -d 'Show counters'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh --rate" -l rate -d 'Show rates'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh --thresholds" -l thresholds -d 'Show thresholds'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh --persistent-conn" -l persistent-conn -d 'Show persistent connections'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh --tun-info" -l tun-info -d 'Show tunnel settings'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh -X --exact" -s X -l exact -d 'Exact numbers'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh --nosort" -l nosort -d 'Keep the kernel\'s order'
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list; and __ipvsadm_fresh --json" -l json -d 'Print the listing as JSON'

# Sync daemon
complete -c ipvsadm -n "__ipvsadm_cmd_is $__ipvsadm_list --start-daemon --stop-daemon; and __ipvsadm_fresh --syncid" -l syncid -x -d 'Sync id (0-255)'
complete -c ipvsadm -n '__ipvsadm_cmd_is --start-daemon' -l mcast-interface -x -a '(__ipvsadm_interfaces)' -d 'Multicast interface'
complete -c ipvsadm -n '__ipvsadm_cmd_is --start-daemon' -l mcast-group -x -d 'Multicast group'
complete -c ipvsadm -n '__ipvsadm_cmd_is --start-daemon' -l mcast-port -x -d 'Multicast UDP port'
complete -c ipvsadm -n '__ipvsadm_cmd_is --start-daemon' -l mcast-ttl -x -d 'Multicast TTL'
complete -c ipvsadm -n '__ipvsadm_cmd_is --start-daemon' -l sync-maxlen -x -d 'Largest sync message'

# ipvsadm mark: iptables' arguments for mangle MARK rules.
set -l __ipvsadm_chains 'PREROUTING INPUT FORWARD OUTPUT POSTROUTING'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s A -l append -x -a $__ipvsadm_chains -d 'Append a rule'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s I -l insert -x -a $__ipvsadm_chains -d 'Insert a rule'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s D -l delete -x -a $__ipvsadm_chains -d 'Delete a rule'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s C -l check -x -a $__ipvsadm_chains -d 'Check whether a rule exists'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s F -l flush -a $__ipvsadm_chains -d 'Delete every rule'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s S -l list-rules -a $__ipvsadm_chains -d 'Print the rules as commands'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s L -l list -a $__ipvsadm_chains -d 'List the rules'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s P -l policy -x -a $__ipvsadm_chains -d 'Set a chain\'s policy'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark; and __ipvsadm_policy_next' -x -a 'ACCEPT DROP' -d Policy
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s t -l table -x -a mangle -d Table
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s 4 -l ipv4 -d 'IPv4 rules (default)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s 6 -l ipv6 -d 'IPv6 rules'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s n -l numeric -d 'Numeric output'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s v -l verbose -d 'Verbose listing'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s x -l exact -d 'Exact counters'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l line-numbers -d 'Number the rules'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s V -l version -d 'Print the iptables version'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s h -l help -d 'Print the help'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s s -l source -l src -x -d 'Source address[/mask]'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s d -l destination -l dst -x -d 'Destination address[/mask]'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s p -l protocol -x -a 'tcp udp sctp' -d Protocol
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s i -l in-interface -x -a '(__ipvsadm_interfaces)' -d 'Input interface'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s o -l out-interface -x -a '(__ipvsadm_interfaces)' -d 'Output interface'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l sport -l source-port -x -d 'Source port or range'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l dport -l destination-port -x -d 'Destination port or range'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s m -l match -x -a 'tcp udp sctp multiport comment mark connmark state conntrack iprange addrtype icmp icmp6' -d 'Match extension'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l dports -l destination-ports -x -d 'Destination ports (multiport)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l sports -l source-ports -x -d 'Source ports (multiport)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ports -x -d 'Source or destination ports (multiport)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l comment -x -d 'Comment (comment match)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s j -l jump -x -a 'MARK CONNMARK ACCEPT RETURN' -d Target
# Issue 20's matches.
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l syn -d 'SYN packets (tcp)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l tcp-flags -x -d 'Flags mask and comparison (tcp)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l tcp-option -x -d 'TCP option present (tcp)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l chunk-types -x -a 'all any only' -d 'Chunk types (sctp)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l mark -x -d 'Mark value[/mask] (mark, connmark)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l state -x -a 'INVALID NEW RELATED ESTABLISHED UNTRACKED' -d 'Conntrack states (state)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctstate -x -a 'INVALID NEW RELATED ESTABLISHED UNTRACKED SNAT DNAT' -d 'Conntrack states (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctproto -x -d 'Layer 4 protocol (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctorigsrc -x -d 'Original source address[/mask] (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctorigdst -x -d 'Original destination address[/mask] (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctreplsrc -x -d 'Reply source address[/mask] (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctrepldst -x -d 'Reply destination address[/mask] (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctstatus -x -a 'NONE EXPECTED SEEN_REPLY ASSURED CONFIRMED' -d 'Conntrack status (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctexpire -x -d 'Remaining lifetime in seconds (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctorigsrcport -x -d 'Original source port(s) (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctorigdstport -x -d 'Original destination port(s) (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctreplsrcport -x -d 'Reply source port(s) (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctrepldstport -x -d 'Reply destination port(s) (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctdir -x -a 'ORIGINAL REPLY' -d 'Packet direction (conntrack)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l src-range -x -d 'Source address range (iprange)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l dst-range -x -d 'Destination address range (iprange)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l src-type -x -a 'UNSPEC UNICAST LOCAL BROADCAST ANYCAST MULTICAST BLACKHOLE UNREACHABLE PROHIBIT THROW NAT XRESOLVE' -d 'Source address type (addrtype)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l dst-type -x -a 'UNSPEC UNICAST LOCAL BROADCAST ANYCAST MULTICAST BLACKHOLE UNREACHABLE PROHIBIT THROW NAT XRESOLVE' -d 'Destination address type (addrtype)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l limit-iface-in -d 'Incoming interface only (addrtype)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l limit-iface-out -d 'Outgoing interface only (addrtype)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l icmp-type -x -d 'ICMP type[/code] or name (icmp)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l icmpv6-type -x -d 'ICMPv6 type[/code] or name (icmp6)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l set-mark -x -d 'Set the mark: value[/mask]'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l set-xmark -x -d 'Clear mask bits, toggle value bits: value[/mask]'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l and-mark -x -d 'Keep these bits'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l or-mark -x -d 'Set these bits'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l xor-mark -x -d 'Toggle these bits'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -a '!' -d 'Negate the next match'
# ipvsadm mark: chain commands and CONNMARK (issue 20).
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s N -l new-chain -x -d 'Create a user chain'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s X -l delete-chain -d 'Delete a user chain (or every one)'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s E -l rename-chain -x -d 'Rename a user chain'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s Z -l zero -a $__ipvsadm_chains -d 'Zero counters'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s R -l replace -x -a $__ipvsadm_chains -d 'Replace a rule'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -s g -l goto -x -d 'Go to a user chain'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l save-mark -d 'CONNMARK: packet mark to connection'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l restore-mark -d 'CONNMARK: connection mark to packet'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l ctmask -x -d 'CONNMARK: connection mark bits'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l nfmask -x -d 'CONNMARK: packet mark bits'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l mask -x -d 'CONNMARK: both masks'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l left-shift-mark -x -d 'CONNMARK: shift left by bits'
complete -c ipvsadm -n '__ipvsadm_cmd_is mark' -l right-shift-mark -x -d 'CONNMARK: shift right by bits'
