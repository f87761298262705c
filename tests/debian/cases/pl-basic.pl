my %age = (alice => 30, bob => 25, carol => 35, dave => 40);
for my $k (sort keys %age) { printf "%-6s %3d\n", $k, $age{$k}; }
my @by_age = sort { $age{$b} <=> $age{$a} or $a cmp $b } keys %age;
print "@by_age\n";
my $total = 0; $total += $_ for values %age;
print "total=$total\n";
my $s = "The quick brown fox jumps over the lazy dog";
my @w = ($s =~ /\b(\w{5})\b/g);
print join(",", @w), "\n";
(my $t = $s) =~ s/(\w+)/\u\L$1/g;
print "$t\n";
print scalar(() = $s =~ /o/g), " o's\n";
if ("2024-03-15" =~ /^(\d{4})-(\d\d)-(\d\d)$/) { print "y=$1 m=$2 d=$3\n"; }
print join(" ", sort { $a <=> $b } (10, 9, 100, -3, 2.5)), "\n";
print join(" ", reverse sort qw(pear apple fig)), "\n";
printf "%.3f %e %x %o %b %5s| %-5s|\n", 3.14159, 12345.678, 255, 8, 5, "r", "l";
print sprintf("%08.2f", -3.5), " ", 2**40, " ", 7 / 2, " ", int(7 / 2), " ", -7 % 3, "\n";
my @a = map { $_ * $_ } grep { $_ % 2 } 1 .. 9;
print "@a\n";
my %h; $h{length $_}++ for qw(a bb cc ddd e);
print join(",", map { "$_=$h{$_}" } sort keys %h), "\n";
print ucfirst(lc("HELLO")), " ", length("héllo"), " ", index("hello", "ll"), " ", substr("hello", 1, 3), "\n";
