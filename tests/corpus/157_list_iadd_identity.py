# list += extends in place: every alias sees the change
a = [1]
alias = a
for i in range(5):
    a += [i]
    a += (i,)
    a += "x"
print(a, alias is a, alias)
t = (1,)
t_alias = t
for i in range(3):
    t += (i,)
print(t, t_alias, t is t_alias)
