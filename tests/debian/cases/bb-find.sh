mkdir -p a/b/c e
touch a/1 a/b/2 a/b/c/3 e/4 top
ln -s top link
find . -type f | sort
echo --
find . -type d | sort
echo --
find . -name '[0-9]' | sort
echo --
find . -type l
