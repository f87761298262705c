import sys
print("leaving with 3")
sys.stdout.flush()
sys.exit(3)
