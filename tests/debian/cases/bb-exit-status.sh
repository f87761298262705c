false; echo "false=$?"
(exit 5); echo "subshell=$?"
x=$(echo inner; exit 3); echo "cmdsubst=$? x=$x"
f() { return 4; }; f; echo "func=$?"
exit 7
