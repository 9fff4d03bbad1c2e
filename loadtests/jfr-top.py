"""Reads `jfr print --events jdk.ExecutionSample` and prints where the node's threads were: the
methods most often on top of a stack, and the Bulwark and Pekko frames most often anywhere in one
(each counted once per sample)."""
import collections
import re
import sys

top = collections.Counter()
anywhere = collections.Counter()
samples = 0
frames = None
frame = re.compile(r"^\s+([\w.$<>]+)\(")
for line in sys.stdin:
    if line.startswith("jdk.ExecutionSample"):
        samples += 1
        frames = []
    elif frames is not None and (m := frame.match(line)):
        frames.append(m.group(1))
    elif frames is not None and line.strip() == "]":
        if frames:
            top[frames[0]] += 1
            for name in set(frames):
                if name.startswith(("io.bulwark.", "org.apache.pekko.persistence", "org.apache.pekko.projection")):
                    anywhere[name] += 1
        frames = None
print(f"JFR: {samples} execution samples of the node")
print("on top of the stack:")
for name, count in top.most_common(25):
    print(f"  {100 * count / max(samples, 1):5.1f} %  {name}")
print("Bulwark, Pekko Persistence and Projection frames anywhere in the stack:")
for name, count in anywhere.most_common(25):
    print(f"  {100 * count / max(samples, 1):5.1f} %  {name}")
