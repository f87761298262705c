echo $((6*7)); for i in 1 2 3; do echo $i; done | sort -r | tr "\n" " "
