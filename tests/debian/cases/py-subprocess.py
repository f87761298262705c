import subprocess, sys
r = subprocess.run([sys.executable, "-c", "import sys; print('child', sys.argv[1:]); sys.exit(3)", "a", "b"],
                   capture_output=True, text=True)
print("rc", r.returncode, "out", r.stdout.strip())
p = subprocess.Popen([sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
out, _ = p.communicate("piped through a child python")
print("communicate", out.strip(), p.returncode)
try:
    subprocess.run(["/nonexistent/program"])
except FileNotFoundError as e:
    print("missing program", e.errno)
