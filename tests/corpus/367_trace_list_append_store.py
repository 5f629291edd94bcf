# append to a list the loop owns, and item stores of floats, ints and bools
out = []
sq = [0] * 40
fl = [0.0] * 40
bs = [False] * 40
for i in range(40):
    out.append(i * 0.5)
    sq[i] = i * i
    fl[-1 - i] = fl[i] + i / 4
    bs[i] = i % 2 == 0
    out.append(len(out))
print(out[:6], sum(out), sq[-3:], fl[:3], fl[-3:], bs[:4], out[5] is out[5])
