"""Starts `prism train`, kills it with SIGKILL once a checkpoint past step
500 exists (and before the run ends), then resumes it to the end.

Usage: kill_and_resume.py PRISM PROGRAM DATA RUN_DIR
The training flags match kill-resume.test's uninterrupted run.
"""
import os
import signal
import subprocess
import sys
import time

prism, program, data, run_dir = sys.argv[1:5]
flags = ["--data", data, "--steps", "3000", "--checkpoint-every", "100",
         "--seed", "5", "-o", run_dir]
env = dict(os.environ, OMP_NUM_THREADS="2")


def latest_step():
    checkpoints = os.path.join(run_dir, "checkpoints")
    if not os.path.isdir(checkpoints):
        return 0
    steps = [int(name.split("-")[1]) for name in os.listdir(checkpoints)
             if name.startswith("step-") and "." not in name]
    return max(steps, default=0)


run = subprocess.Popen([prism, "train", program] + flags, env=env,
                       stdout=subprocess.DEVNULL)
deadline = time.time() + 120
while latest_step() < 500:
    if run.poll() is not None or time.time() > deadline:
        sys.exit("kill_and_resume: the run ended or stalled before step 500 "
                 f"(exit {run.returncode}, latest checkpoint {latest_step()})")
    time.sleep(0.005)
run.send_signal(signal.SIGKILL)
run.wait()
killed_at = latest_step()
if killed_at >= 3000:
    sys.exit("kill_and_resume: the run finished before the kill")
print(f"killed after the checkpoint of step {killed_at}")
resumed = subprocess.run([prism, "train", program] + flags + ["--resume"],
                         env=env, stdout=subprocess.DEVNULL)
sys.exit(resumed.returncode)
