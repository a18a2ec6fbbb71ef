# Cases in iptables' .t syntax (iptables-t/) for the differences the full
# run of iptables' suite found, one line each, run with the make-check
# subset (iptables_suite.sh): an option only the extension of a native
# match or target has makes that module an extension; a non-contiguous
# -s/-d mask is compared by the rule's extension step, and on jumps,
# gotos and returns (no extension step) on masked dimensions of the tree.
:INPUT
-m conntrack --ctstate NEW --ctorigsrc 1.1.1.1;=;OK
-p sctp -m sctp --chunk-types all INIT;=;OK
-p dccp -m dccp --dccp-option 255;=;OK
-j LOG --log-prefix "test: " --log-uid;=;OK
-j REJECT --reject-with icmp-host-prohibited;=;OK
-j REJECT --reject-with nonsense;;FAIL
-s 10.11.12.13/255.0.255.0;-s 10.0.12.0/255.0.255.0;OK
! -d 10.11.12.13/255.0.12.0;! -d 10.0.12.0/255.0.12.0;OK
%iptables -N nfh_masked
-s 10.11.12.13/255.0.255.0 -j nfh_masked;-s 10.0.12.0/255.0.255.0 -j nfh_masked;OK
! -d 10.11.12.13/255.0.255.0 -g nfh_masked;! -d 10.0.12.0/255.0.255.0 -g nfh_masked;OK
-s 10.11.12.13/255.255.0.255 -j RETURN;-s 10.11.0.13/255.255.0.255 -j RETURN;OK
